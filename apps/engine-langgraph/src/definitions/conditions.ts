import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';

export const ConditionOp = z.enum(['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'exists']);
export type ConditionOp = z.infer<typeof ConditionOp>;

/** A test on one state value; `key` is a dotted path (`decision.approved`, `fields.length`). */
export const Condition = z
  .object({
    key: z.string().max(200).describe('dotted path into the state, e.g. "decision.approved" or "items.length"'),
    op: ConditionOp,
    value: z.unknown().optional().describe('what to compare with; a list for "in"; unused for "exists"'),
  })
  .strict();
export type Condition = z.infer<typeof Condition>;

/** The value at a dotted path (`a.b.0.c`, `list.length`), or undefined when any step is missing. */
export function valueAt(root: unknown, path: string): unknown {
  if (path === '') return root;
  let current: unknown = root;
  for (const part of path.split('.')) {
    if (current === null || current === undefined) return undefined;
    if (typeof current !== 'object' && typeof current !== 'string') return undefined;
    if (!Object.hasOwn(current as object, part) && !(Array.isArray(current) || typeof current === 'string' ? part === 'length' : false)) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

function comparable(value: unknown): number | string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string') {
    const n = Number(value.replace(/[$,\s]/g, ''));
    return value.trim() !== '' && Number.isFinite(n) ? n : value;
  }
  return undefined;
}

/**
 * Evaluate a condition against a state object. Ordering operators compare numbers (numeric strings
 * such as "$40,000" count as numbers) or else strings; a missing value fails every test but `ne`.
 */
export function evaluateCondition(condition: Condition, state: unknown): boolean {
  const actual = valueAt(state, condition.key);
  const expected = condition.value;
  switch (condition.op) {
    case 'exists':
      return actual !== undefined && actual !== null && actual !== '';
    case 'eq':
      return isDeepStrictEqual(actual, expected) || (comparable(actual) !== undefined && comparable(actual) === comparable(expected));
    case 'ne':
      return !evaluateCondition({ ...condition, op: 'eq' }, state);
    case 'in':
      return Array.isArray(expected) && expected.some((option) => evaluateCondition({ key: '', op: 'eq', value: option }, actual));
    default: {
      const a = comparable(actual);
      const b = comparable(expected);
      if (a === undefined || b === undefined || typeof a !== typeof b) return false;
      if (condition.op === 'gt') return a > b;
      if (condition.op === 'gte') return a >= b;
      if (condition.op === 'lt') return a < b;
      return a <= b;
    }
  }
}
