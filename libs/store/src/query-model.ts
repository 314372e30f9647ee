import { BadUserInputError } from '@switchyard/contracts';
import type { BaseDocument, QueryOptions, Scalar } from './document-store.ts';

/**
 * Adapter-neutral pieces of the query language: validated field paths, normalized predicates and sort
 * keys, page sizes, and the keyset cursor. Both adapters render these into their own SQL dialect, so
 * the semantics (what `null` matches, how ties break, what a cursor holds) live in one place.
 */

export type Op = 'eq' | 'ne' | 'lt' | 'lte' | 'gt' | 'gte' | 'in';

export interface Predicate {
  path: string[];
  op: Op;
  value: Scalar | Scalar[];
}

export interface SortKey {
  path: string[];
  desc: boolean;
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 1000;

const SEGMENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const OPS = new Set<Op>(['eq', 'ne', 'lt', 'lte', 'gt', 'gte', 'in']);

/** Split and validate a dotted field path; segments are inlined into SQL, so they must be plain identifiers. */
export function fieldPath(field: string): string[] {
  const path = field.split('.');
  if (!path.every((segment) => SEGMENT.test(segment))) {
    throw new TypeError(`Invalid field path "${field}": use dot-separated identifiers ([A-Za-z_][A-Za-z0-9_]*).`);
  }
  return path;
}

function isScalar(value: unknown): value is Scalar {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

export function parseWhere(where: QueryOptions['where']): Predicate[] {
  return Object.entries(where ?? {}).map(([field, condition]) => {
    const path = fieldPath(field);
    if (isScalar(condition)) return { path, op: 'eq', value: condition };
    const entries = Object.entries(condition);
    const [op, value] = entries[0] ?? [];
    if (entries.length !== 1 || !OPS.has(op as Op)) {
      throw new TypeError(`Invalid condition on "${field}": use a scalar or exactly one of ${[...OPS].join(', ')}.`);
    }
    return { path, op: op as Op, value: value as Scalar | Scalar[] };
  });
}

/**
 * Sort keys with the tie-breakers appended: `id`, then (across tenants, where ids may repeat) `tenantId`.
 * Tie-breakers follow the last explicit key's direction, so every key runs one way and a Cosmos
 * composite index (which serves its order or the exact reverse) can serve the whole ORDER BY.
 */
export function parseSort(orderBy: QueryOptions['orderBy'], allTenants: boolean): SortKey[] {
  const keys = (orderBy ?? []).map(({ field, direction }) => ({ path: fieldPath(field), desc: direction === 'desc' }));
  const desc = keys.at(-1)?.desc ?? false;
  keys.push({ path: ['id'], desc });
  if (allTenants) keys.push({ path: ['tenantId'], desc });
  return keys;
}

export function pageSize(first: number | undefined): number {
  if (first === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 1) throw new BadUserInputError(`"first" must be a positive integer; got ${first}.`);
  return Math.min(first, MAX_PAGE_SIZE);
}

export function getPath(obj: unknown, path: string[]): unknown {
  let value = obj;
  for (const segment of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

export function setPath(obj: Record<string, unknown>, path: string[], value: unknown): void {
  let target = obj;
  for (const segment of path.slice(0, -1)) {
    const next = target[segment];
    if (next === null || typeof next !== 'object') target[segment] = {};
    target = target[segment] as Record<string, unknown>;
  }
  target[path[path.length - 1]!] = value;
}

/** The values a cursor records for one row: each sort key's value, missing read as null. */
export function sortValues(doc: BaseDocument, keys: SortKey[]): Scalar[] {
  return keys.map((key) => {
    const value = getPath(doc, key.path);
    return isScalar(value) ? value : null;
  });
}

export function encodeCursor(values: Scalar[]): string {
  return Buffer.from(JSON.stringify(values), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string, keys: SortKey[]): Scalar[] {
  let values: unknown;
  try {
    values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    values = undefined;
  }
  if (!Array.isArray(values) || values.length !== keys.length || !values.every(isScalar)) {
    throw new BadUserInputError('Invalid "after" cursor: pass an endCursor returned by the same query.');
  }
  return values;
}

/** A condition in disjunctive normal form: OR of ANDs of atoms. */
export type Dnf = string[][];

export interface KeysetDialect {
  /** One atom: `key <op> value` for a non-null value. */
  compare(key: SortKey, op: '<' | '>' | '=', value: Scalar): string;
  isNull(key: SortKey): Dnf;
  notNull(key: SortKey): string[];
}

function and(a: Dnf, b: Dnf): Dnf {
  return a.flatMap((left) => b.map((right) => [...left, ...right]));
}

/**
 * The WHERE fragment selecting rows strictly after `values` in the order given by `keys`. Nulls sort
 * first ascending and last descending, which is how both SQLite and Cosmos order them. It is rendered
 * flat (one level of parentheses, relying on AND binding tighter than OR) because the Cosmos emulator's
 * parser takes time exponential in parenthesis nesting.
 */
export function keysetCondition(keys: SortKey[], values: Scalar[], dialect: KeysetDialect): string {
  const disjuncts: Dnf = [];
  let equalSoFar: Dnf = [[]];
  keys.forEach((key, i) => {
    const value = values[i]!;
    let after: Dnf | null;
    if (value === null) after = key.desc ? null : [dialect.notNull(key)];
    else if (key.desc) after = [[dialect.compare(key, '<', value)], ...dialect.isNull(key)];
    else after = [[dialect.compare(key, '>', value)]];
    if (after) disjuncts.push(...and(equalSoFar, after));
    equalSoFar = and(equalSoFar, value === null ? dialect.isNull(key) : [[dialect.compare(key, '=', value)]]);
  });
  return disjuncts.length ? `(${disjuncts.map((conjunction) => conjunction.join(' AND ')).join(' OR ')})` : '1 = 0';
}

/** Trim the over-fetched row and build the page's cursor from the last row kept. */
export function toPage<R>(rows: R[], size: number, docOf: (row: R) => BaseDocument, keys: SortKey[]) {
  const items = rows.slice(0, size);
  const last = items.at(-1);
  return {
    items,
    endCursor: last === undefined ? null : encodeCursor(sortValues(docOf(last), keys)),
    hasNextPage: rows.length > size,
  };
}

/** Read a numeric field for increment: missing or null counts as 0. */
export function numericField(doc: unknown, path: string[], field: string): number {
  const value = getPath(doc, path);
  if (value === undefined || value === null) return 0;
  if (typeof value !== 'number') throw new TypeError(`Cannot increment "${field}": it holds a ${typeof value}, not a number.`);
  return value;
}

export function checkIdentity(doc: BaseDocument): void {
  if (typeof doc.tenantId !== 'string' || doc.tenantId === '' || typeof doc.id !== 'string' || doc.id === '') {
    throw new TypeError('A document needs a non-empty string "id" and "tenantId".');
  }
}

/** A batch's documents all belong to its tenant, and there are no more of them than one transaction holds. */
export function checkBatch(tenantId: string, operations: readonly { doc: BaseDocument }[], maxOperations: number): void {
  if (operations.length > maxOperations) throw new TypeError(`A batch holds at most ${maxOperations} operations; split the ${operations.length} writes into several batches.`);
  for (const { doc } of operations) {
    checkIdentity(doc);
    if (doc.tenantId !== tenantId) throw new TypeError(`A batch writes one tenant's documents only: "${doc.id}" belongs to another tenant than the batch.`);
  }
}

/** The sort orders a collection declared (CollectionOptions), as comparable keys. */
export function declaredSorts(options: { indexes?: string[]; compositeIndexes?: string[][] }, into = new Set<string>()): Set<string> {
  for (const field of options.indexes ?? []) into.add(JSON.stringify([field]));
  for (const fields of options.compositeIndexes ?? []) into.add(JSON.stringify(fields));
  return into;
}

/**
 * Refuse a sort the collection did not declare, in every adapter alike: Cosmos DB can only serve a
 * multi-field ORDER BY (the id tie-breaker included) from a composite index made from the
 * declaration, so an undeclared sort that works on SQLite would fail in production.
 */
export function assertSortDeclared(collection: string, orderBy: QueryOptions['orderBy'], declared: Set<string>): void {
  if (!orderBy || orderBy.length === 0) return;
  const fields = orderBy.map((key) => key.field);
  if (!declared.has(JSON.stringify(fields))) {
    throw new Error(
      `${collection}: sorting by [${fields.join(', ')}] is not declared; add ${fields.length === 1 ? `"${fields[0]}" to the collection's indexes` : `[${fields.map((f) => `"${f}"`).join(', ')}] to its compositeIndexes`}.`,
    );
  }
}
