import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { JsonSchema, Tool } from '../tool.ts';

// ajv-formats is CommonJS; under NodeNext its default import is typed as the module object.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/** Largest inputSchema (as JSON) and nesting depth accepted from a server: compiling is not free. */
export const MAX_SCHEMA_BYTES = 100_000;
export const MAX_SCHEMA_DEPTH = 32;

/** The arguments validator of one server's tools; one per connection, so servers' `$id`s never meet. */
export class JsonSchemaArguments {
  private draft07?: Ajv;
  private draft2020?: Ajv;

  /**
   * Compile a tool's inputSchema. MCP's default dialect is JSON Schema 2020-12; schemas that declare
   * draft-07 or draft-06 (what older servers emit) are compiled as such. Throws with a readable reason
   * when the schema is too large, too deep or not a schema ajv can compile.
   */
  compile(schema: JsonSchema): Tool['parse'] {
    const size = JSON.stringify(schema).length;
    if (size > MAX_SCHEMA_BYTES) throw new Error(`its inputSchema is ${size} bytes of JSON; at most ${MAX_SCHEMA_BYTES} are accepted`);
    if (depth(schema) > MAX_SCHEMA_DEPTH) throw new Error(`its inputSchema nests deeper than ${MAX_SCHEMA_DEPTH} levels`);
    const { $schema, ...body } = schema;
    const dialect = typeof $schema === 'string' ? $schema : '';
    const ajv = /draft-0[67]/.test(dialect) ? (this.draft07 ??= configure(new Ajv(OPTIONS))) : (this.draft2020 ??= configure(new Ajv2020(OPTIONS)));
    let validate: ValidateFunction;
    try {
      validate = ajv.compile(body);
    } catch (error) {
      throw new Error(`its inputSchema is not a JSON Schema that can be checked: ${error instanceof Error ? error.message : String(error)}`);
    }
    return (input) => {
      // Defaults are filled in place, so validate a copy and leave the model's arguments as sent.
      const value = structuredClone(input);
      if (validate(value)) return { ok: true, value };
      return { ok: false, problems: (validate.errors ?? []).map(describeError) };
    };
  }
}

const OPTIONS = { strict: false, allErrors: true, useDefaults: true, logger: false } as const;

function configure(ajv: Ajv): Ajv {
  addFormats(ajv);
  return ajv;
}

function describeError(error: ErrorObject): string {
  const path = error.instancePath.split('/').slice(1).map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~')).join('.');
  const extra = error.keyword === 'additionalProperties' ? ` ("${String(error.params['additionalProperty'])}")`
    : error.keyword === 'enum' ? ` (${(error.params['allowedValues'] as unknown[]).map((value) => JSON.stringify(value)).join(', ')})`
    : '';
  return `${path || 'arguments'}: ${error.message ?? error.keyword}${extra}`;
}

function depth(value: unknown, level = 0): number {
  if (level > MAX_SCHEMA_DEPTH || value === null || typeof value !== 'object') return level;
  let deepest = level;
  for (const child of Object.values(value)) deepest = Math.max(deepest, depth(child, level + 1));
  return deepest;
}
