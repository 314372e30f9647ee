import { z } from 'zod';
import { defineTool } from '@switchyard/tools';
import { ConditionOp, evaluateCondition } from '../definitions/conditions.ts';

/** Keep the items of a list whose field meets a condition (e.g. fields with confidence below 0.8); a graph engine tool. */
export const filterListTool = defineTool({
  name: 'filter_list',
  description: 'Keep the items of a list whose field meets a condition (eq, ne, gt, gte, lt, lte, in, exists).',
  source: 'engine',
  args: z.object({
    items: z.array(z.unknown()),
    /** Dotted path inside each item; empty for the item itself. */
    field: z.string().default(''),
    op: ConditionOp,
    value: z.unknown().optional(),
  }),
  execute: ({ items, field, op, value }) => items.filter((item) => evaluateCondition({ key: field, op, value }, item)),
});
