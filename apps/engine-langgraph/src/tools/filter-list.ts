import { z } from 'zod';
import { ConditionOp, evaluateCondition } from '../definitions/conditions.ts';
import type { GraphTool } from './tool-registry.ts';

const FilterArgs = z.object({
  items: z.array(z.unknown()),
  /** Dotted path inside each item; empty for the item itself. */
  field: z.string().default(''),
  op: ConditionOp,
  value: z.unknown().optional(),
});

/** Keep the items of a list whose field meets a condition (e.g. fields with confidence below 0.8). */
export const filterListTool: GraphTool<z.infer<typeof FilterArgs>> = {
  name: 'filter_list',
  description: 'Keep the items of a list whose field meets a condition (eq, ne, gt, gte, lt, lte, in, exists).',
  args: FilterArgs,
  run: async ({ items, field, op, value }) => items.filter((item) => evaluateCondition({ key: field, op, value }, item)),
};
