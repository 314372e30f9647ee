import {
  GraphQLEnumType,
  GraphQLInputObjectType,
  GraphQLScalarType,
  getNamedType,
  isAbstractType,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
} from 'graphql';
import { BOUNDARY_FLOATS, BOUNDARY_INTS, INJECTION_JSON, INJECTION_STRINGS, MALFORMED_FLOATS, OUT_OF_RANGE_INTS, longString } from './hostile-values.ts';
import type { SeededRandom } from './seeded-random.ts';

/** How the argument values of one generated operation are chosen. */
export type ValueMode = 'valid' | 'boundary' | 'malformed' | 'injection';

export interface GeneratedOperation {
  mode: ValueMode;
  operationType: 'query' | 'mutation' | 'subscription';
  /** The root field it calls, for reports. */
  field: string;
  query: string;
  variables: Record<string, unknown>;
  operationName?: string;
}

export interface GeneratorOptions {
  /** Ids the generator may use where an ID is expected: the caller's own, another tenant's (to probe isolation), made-up ones. */
  ids: readonly string[];
  /** Root fields never generated (e.g. ones that would erase the calling tenant). */
  excludeFields?: ReadonlySet<string>;
  /** Deepest selection below the root field. */
  maxDepth?: number;
  /** Share of string values that are 1 MB long (boundary mode). */
  megabyteShare?: number;
}

interface Build {
  random: SeededRandom;
  mode: ValueMode;
  variables: Record<string, unknown>;
  declarations: string[];
}

const MEGABYTE = 1_000_000;

/**
 * Generates operations from a GraphQL schema: a root field of Query, Mutation or Subscription with
 * arguments (inline or as variables) chosen by mode, and a selection of its result type to a bounded
 * depth, with inline fragments for unions and interfaces. Malformed mode breaks one thing at a time
 * the way clients do: a wrong type, null for a non-null, an unknown enum value, a missing or unknown
 * argument, a variable declared with the wrong type.
 */
export class OperationGenerator {
  private readonly roots: Record<'query' | 'mutation' | 'subscription', GraphQLField<unknown, unknown>[]>;
  private readonly maxDepth: number;

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly options: GeneratorOptions,
  ) {
    const fieldsOf = (type: GraphQLObjectType | null | undefined) =>
      Object.values(type?.getFields() ?? {}).filter((field) => !options.excludeFields?.has(field.name));
    this.roots = { query: fieldsOf(schema.getQueryType()), mutation: fieldsOf(schema.getMutationType()), subscription: fieldsOf(schema.getSubscriptionType()) };
    this.maxDepth = options.maxDepth ?? 3;
  }

  /** Every root field name by operation type, for coverage reports. */
  rootFields(): Record<'query' | 'mutation' | 'subscription', string[]> {
    return { query: this.roots.query.map((f) => f.name), mutation: this.roots.mutation.map((f) => f.name), subscription: this.roots.subscription.map((f) => f.name) };
  }

  generate(random: SeededRandom, mode: ValueMode, operationType: 'query' | 'mutation' | 'subscription', fieldName?: string): GeneratedOperation {
    const candidates = this.roots[operationType];
    const field = fieldName ? candidates.find((f) => f.name === fieldName)! : random.pick(candidates);
    const build: Build = { random, mode, variables: {}, declarations: [] };
    const args = this.argumentsFor(field, build, true);
    const selection = this.selectionFor(field.type, build, 1);
    const alias = random.chance(0.1) ? `r${random.int(0, 99)}: ` : '';
    const name = random.chance(0.5) ? `Op${random.int(0, 9999)}` : undefined;
    const header = `${operationType}${name ? ` ${name}` : ''}${build.declarations.length ? `(${build.declarations.join(', ')})` : ''}`;
    const query = `${header} { ${alias}${field.name}${args}${selection} }`;
    return { mode, operationType, field: field.name, query, variables: build.variables, ...(name && random.chance(0.8) ? { operationName: name } : {}) };
  }

  private argumentsFor(field: GraphQLField<unknown, unknown>, build: Build, atRoot: boolean): string {
    const { random, mode } = build;
    const parts: string[] = [];
    for (const arg of field.args) {
      const required = isNonNullType(arg.type);
      // Optional arguments are left out half the time; in malformed mode a required one sometimes too.
      if (!required && random.chance(0.5)) continue;
      if (required && mode === 'malformed' && random.chance(0.08)) continue;
      const asVariable = atRoot && random.chance(0.5);
      const value = this.valueFor(arg.type, build, arg.name, 0);
      if (asVariable) {
        const variable = `v${build.declarations.length}`;
        let declared = String(arg.type);
        if (mode === 'malformed' && random.chance(0.15)) declared = random.pick(['String', 'Int!', 'Boolean', '[ID!]!', 'UnknownType', 'JSON!']);
        build.declarations.push(`$${variable}: ${declared}`);
        if (value !== undefined) build.variables[variable] = value;
        parts.push(`${arg.name}: $${variable}`);
      } else {
        parts.push(`${arg.name}: ${value === undefined ? 'null' : toLiteral(value, getNamedType(arg.type))}`);
      }
    }
    if (mode === 'malformed' && random.chance(0.08)) parts.push(`unknownArgument${random.int(0, 9)}: 1`);
    return parts.length ? `(${parts.join(', ')})` : '';
  }

  private selectionFor(type: GraphQLOutputType, build: Build, depth: number): string {
    const named = getNamedType(type);
    if (isLeafType(named)) return '';
    const { random } = build;
    if (isAbstractType(named)) {
      const possible = this.schema.getPossibleTypes(named);
      const fragments = possible.filter(() => random.chance(0.6)).map((t) => `... on ${t.name}${this.selectionFor(t, build, depth)}`);
      return ` { __typename ${fragments.join(' ')} }`;
    }
    if (!isObjectType(named)) return '';
    const fields = Object.values(named.getFields());
    const leaves = fields.filter((f) => isLeafType(getNamedType(f.type)) && !f.args.some((a) => isNonNullType(a.type)));
    const objects = fields.filter((f) => !isLeafType(getNamedType(f.type)));
    const chosen: string[] = [];
    for (const leaf of leaves) if (random.chance(0.5) || chosen.length === 0) chosen.push(leaf.name);
    if (depth < this.maxDepth) {
      for (const child of objects) {
        if (!random.chance(0.3)) continue;
        const args = this.argumentsFor(child, { ...build, mode: build.mode === 'injection' ? 'injection' : 'valid' }, false);
        chosen.push(`${child.name}${args}${this.selectionFor(child.type, build, depth + 1)}`);
      }
    }
    if (chosen.length === 0) chosen.push('__typename');
    if (build.mode === 'malformed' && random.chance(0.05)) chosen.push(random.pick(['unknownField', '__schema { queryType { name } }', 'secret']));
    return ` { ${chosen.join(' ')} }`;
  }

  /** A value for an input type, by mode; undefined means "leave it out". */
  private valueFor(type: GraphQLInputType, build: Build, name: string, depth: number): unknown {
    const { random, mode } = build;
    if (isNonNullType(type)) {
      if (mode === 'malformed' && random.chance(0.1)) return null;
      return this.valueFor(type.ofType, build, name, depth);
    }
    if (mode !== 'valid' && random.chance(0.03)) return null;
    if (isListType(type)) {
      if (mode === 'malformed' && random.chance(0.15)) return this.valueFor(type.ofType as GraphQLInputType, build, name, depth);
      const length = mode === 'boundary' ? random.pick([0, 1, 200]) : random.int(0, 3);
      return Array.from({ length }, () => this.valueFor(type.ofType as GraphQLInputType, build, name, depth + 1));
    }
    if (isInputObjectType(type)) return this.objectFor(type, build, depth);
    if (isEnumType(type)) return this.enumFor(type, build);
    return this.scalarFor(type as GraphQLScalarType, build, name);
  }

  private objectFor(type: GraphQLInputObjectType, build: Build, depth: number): unknown {
    const { random, mode } = build;
    if (mode === 'malformed' && random.chance(0.1)) return random.pick(['not an object', 7, [1, 2]]);
    const value: Record<string, unknown> = {};
    for (const field of Object.values(type.getFields())) {
      const required = isNonNullType(field.type);
      if (!required && random.chance(0.5)) continue;
      if (required && mode === 'malformed' && random.chance(0.1)) continue;
      if (depth > 4 && !required) continue;
      const fieldValue = this.valueFor(field.type, build, field.name, depth + 1);
      if (fieldValue !== undefined) value[field.name] = fieldValue;
    }
    if (mode === 'malformed' && random.chance(0.1)) value[random.pick(['unknownField', '__proto__', 'constructor'])] = 'x';
    return value;
  }

  private enumFor(type: GraphQLEnumType, build: Build): unknown {
    const values = type.getValues().map((v) => v.name);
    if (build.mode === 'malformed' && build.random.chance(0.5)) return build.random.pick([`${values[0]!.toLowerCase()}`, 'UNKNOWN_VALUE', '', 1, `${values[0]} `]);
    return build.random.pick(values);
  }

  private scalarFor(type: GraphQLScalarType, build: Build, name: string): unknown {
    const { random, mode } = build;
    switch (type.name) {
      case 'Int':
        if (mode === 'boundary') return random.pick(BOUNDARY_INTS);
        if (mode === 'malformed') return random.pick(OUT_OF_RANGE_INTS);
        return random.int(0, 50);
      case 'Float':
        if (mode === 'boundary') return random.pick(BOUNDARY_FLOATS);
        if (mode === 'malformed') return random.pick(MALFORMED_FLOATS);
        return Math.round(random.next() * 10000) / 100;
      case 'Boolean':
        if (mode === 'malformed') return random.pick(['true', 0, 1, 'yes', null]);
        return random.chance(0.5);
      case 'ID':
        if (mode === 'malformed') return random.pick([12, 1.5, true, {}, []]);
        if (mode === 'injection') return random.pick(INJECTION_STRINGS);
        if (mode === 'boundary') return random.pick(['', ' ', longString(300), ...this.options.ids]);
        return random.pick(this.options.ids);
      case 'JSON':
        if (mode === 'injection' || mode === 'malformed') return random.pick(INJECTION_JSON);
        if (mode === 'boundary') return random.pick([{}, [], deepObject(60), { big: longString(50_000) }]);
        return { note: `value for ${name}`, n: random.int(0, 9) };
      case 'DateTime':
        if (mode === 'malformed') return random.pick(['yesterday', '2026-13-45T99:00:00Z', 0, '']);
        if (mode === 'boundary') return random.pick(['1970-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z', '0000-01-01T00:00:00Z']);
        return new Date(Date.UTC(2026, random.int(0, 11), random.int(1, 28))).toISOString();
      default:
        return this.stringFor(build, name);
    }
  }

  private stringFor(build: Build, name: string): unknown {
    const { random, mode } = build;
    if (mode === 'malformed') return random.pick([42, 1.5, true, { a: 1 }, ['x']]);
    if (mode === 'injection') return random.pick(INJECTION_STRINGS);
    if (mode === 'boundary') {
      if (random.chance(this.options.megabyteShare ?? 0.01)) return longString(MEGABYTE);
      return random.pick(['', ' ', longString(256), longString(20_001), 'é'.repeat(1000), '\u0000'.repeat(10)]);
    }
    return validStringFor(name, random);
  }
}

/** Plausible values for the string arguments whose names say what they hold. */
function validStringFor(name: string, random: SeededRandom): string {
  if (/month/i.test(name)) return random.pick(['2026-01', '2025-12', '2026-06']);
  if (/url|webhook/i.test(name)) return 'https://example.com/hook';
  if (/email/i.test(name)) return 'someone@example.com';
  if (/color|colour/i.test(name)) return '#336699';
  if (/model/i.test(name)) return 'gpt-4o-mini';
  if (/integration/i.test(name)) return 'slack';
  if (/input|query|text|content|prompt/i.test(name)) return random.pick(['Process insurance claim #12345', 'Research competitors and write a market analysis', 'Summarise the policy']);
  return `value-${random.int(0, 999)}`;
}

function deepObject(depth: number): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i++) value = { nested: value };
  return value;
}

/** A GraphQL literal for a JSON value, written for the argument's named type (enums bare, everything else as JSON would be). */
export function toLiteral(value: unknown, named: GraphQLNamedType): string {
  if (value === null || value === undefined) return 'null';
  if (isEnumType(named) && typeof value === 'string' && /^[_A-Za-z][_0-9A-Za-z]*$/.test(value)) return value;
  if (Array.isArray(value)) return `[${value.map((v) => toLiteral(v, named)).join(', ')}]`;
  if (typeof value === 'object') {
    const fields = isInputObjectType(named) ? named.getFields() : {};
    const entries = Object.entries(value as Record<string, unknown>).map(([key, v]) => {
      const fieldType = fields[key]?.type;
      const safeKey = /^[_A-Za-z][_0-9A-Za-z]*$/.test(key) ? key : `k${Math.abs(hash(key))}`;
      return `${safeKey}: ${toLiteral(v, fieldType ? getNamedType(fieldType) : named)}`;
    });
    return `{${entries.join(', ')}}`;
  }
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '0';
  if (typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

function hash(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (Math.imul(31, h) + text.charCodeAt(i)) | 0;
  return h;
}

