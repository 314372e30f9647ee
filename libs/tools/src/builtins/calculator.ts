import { z } from 'zod';
import { defineTool, ToolError } from '../tool.ts';
import { evaluateArithmetic } from './arithmetic.ts';

export const calculatorTool = defineTool({
  name: 'calculator',
  description:
    'Evaluate an arithmetic expression exactly, e.g. "(1200 - 950) / 950 * 100". Supports + - * / % ^ (or **), parentheses, pi, e, sqrt, abs, round(x, digits), floor, ceil, ln, log10, exp, min, max.',
  args: z.object({ expression: z.string().min(1).max(500).describe('The arithmetic expression to evaluate') }),
  execute: ({ expression }) => {
    try {
      return evaluateArithmetic(expression);
    } catch (error) {
      throw new ToolError(`cannot evaluate "${expression}": ${(error as Error).message}`);
    }
  },
});
