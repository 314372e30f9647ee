import { z } from 'zod';

/** JSON Schema of a tool's arguments, as published to models (no `$schema` key). */
export type JsonSchema = Record<string, unknown>;

/** A tenant's secret for a tool or connector, read on demand and never logged or returned. */
export interface ToolSecrets {
  /** The decrypted secret called `name` for the calling tenant, or undefined when it has none. */
  get(name: string): Promise<string | undefined>;
}

/** The run a tool call belongs to: whose it is, what it may reach, and when to stop. */
export interface ToolContext {
  tenantId: string;
  workflowId?: string;
  /** Aborted when the workflow is cancelled or its engine goes away: stop at once. */
  signal: AbortSignal;
  secrets: ToolSecrets;
  /** The tenant's non-secret configuration of this tool (e.g. http_request's allowed hosts). */
  config: Record<string, unknown>;
  /** The tenant opted in to keep tool arguments and results in traces; absent: they are never recorded. */
  keepContent?: boolean;
}

/**
 * One tool, whatever its origin (built in, a connector, an MCP server's). Arguments are checked by
 * `parse` before `execute` runs; `execute` may throw, and the registry turns that into an observation.
 */
export interface Tool {
  name: string;
  description: string;
  /** JSON Schema of the arguments. */
  parameters: JsonSchema;
  /** Where it comes from: "builtin", "connector", or "mcp:<server name>". */
  source: string;
  /** Validate (and default) the model's arguments; problems name their path. */
  parse(input: unknown): { ok: true; value: unknown } | { ok: false; problems: string[] };
  /** The result: a string is passed as is, anything else is sent to the model as JSON. */
  execute(args: unknown, context: ToolContext): Promise<unknown>;
}

/** A tool written in TypeScript: a zod schema for its arguments, published as JSON Schema. */
export interface ToolDefinition<Args extends z.ZodType> {
  name: string;
  description: string;
  args: Args;
  source?: string;
  execute(args: z.infer<Args>, context: ToolContext): Promise<unknown> | unknown;
}

/** The tool's zod schema as JSON Schema for the model's function-calling spec. */
export function zodToParameters(schema: z.ZodType): JsonSchema {
  const { $schema: _ignored, ...parameters } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  return parameters;
}

/** "a.b: Expected number, received string" for each zod issue. */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.join('.') || 'arguments'}: ${issue.message}`);
}

export function defineTool<Args extends z.ZodType>(definition: ToolDefinition<Args>): Tool {
  // Converted on first use: a run's registry holds every platform tool, and most are never offered to a model.
  let parameters: JsonSchema | undefined;
  return {
    name: definition.name,
    description: definition.description,
    get parameters() {
      return (parameters ??= zodToParameters(definition.args));
    },
    source: definition.source ?? 'builtin',
    parse(input) {
      const parsed = definition.args.safeParse(input);
      return parsed.success ? { ok: true, value: parsed.data } : { ok: false, problems: describeIssues(parsed.error) };
    },
    execute: async (args, context) => definition.execute(args as z.infer<Args>, context),
  };
}

/**
 * The tool's own refusal of a call the model can fix (a host not on the allowlist, a missing secret,
 * an unknown time zone): reported as is, without a stack, and not retried.
 */
export class ToolError extends Error {
  override name = 'ToolError';
  constructor(message: string, readonly retryable = false) {
    super(message);
  }
}
