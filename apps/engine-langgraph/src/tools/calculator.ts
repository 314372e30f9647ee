import { z } from 'zod';
import { ToolInputError, type GraphTool } from './tool-registry.ts';

const FUNCTIONS: Record<string, { arity: [number, number]; fn: (...args: number[]) => number }> = {
  abs: { arity: [1, 1], fn: Math.abs },
  ceil: { arity: [1, 1], fn: Math.ceil },
  floor: { arity: [1, 1], fn: Math.floor },
  round: { arity: [1, 2], fn: (x, digits = 0) => Math.round(x * 10 ** digits) / 10 ** digits },
  sqrt: { arity: [1, 1], fn: Math.sqrt },
  min: { arity: [1, 50], fn: Math.min },
  max: { arity: [1, 50], fn: Math.max },
};
const CONSTANTS: Record<string, number> = { pi: Math.PI, e: Math.E };

type Token = { kind: 'number'; value: number; at: number } | { kind: 'name'; value: string; at: number } | { kind: 'op'; value: string; at: number };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  const re = /\s*(?:(\d[\d_]*(?:\.\d+)?(?:e[+-]?\d+)?|\.\d+)|([A-Za-z_]\w*)|(\*\*|[-+*/%^(),]))/gy;
  let at = 0;
  while (at < source.length) {
    if (/^\s*$/.test(source.slice(at))) break;
    re.lastIndex = at;
    const m = re.exec(source);
    if (!m) {
      const rest = source.slice(at);
      throw new ToolInputError(`unexpected character "${rest.trim()[0]}" at position ${at + rest.length - rest.trimStart().length + 1}`);
    }
    const start = m.index + m[0].length - (m[1] ?? m[2] ?? m[3] ?? '').length;
    if (m[1] !== undefined) tokens.push({ kind: 'number', value: Number(m[1].replace(/_/g, '')), at: start });
    else if (m[2] !== undefined) tokens.push({ kind: 'name', value: m[2].toLowerCase(), at: start });
    else tokens.push({ kind: 'op', value: m[3] === '**' ? '^' : m[3]!, at: start });
    at = re.lastIndex;
  }
  return tokens;
}

/**
 * Evaluate an arithmetic expression with a recursive-descent parser: numbers (1_000 allowed; a
 * comma always separates function arguments), + - * / % ^ (or **), parentheses, unary minus, pi,
 * e and a few functions. Nothing is ever passed to eval, so an expression templated from model
 * output cannot run code.
 */
export function evaluateExpression(source: string): number {
  const tokens = tokenize(source);
  let i = 0;
  const peek = () => tokens[i];
  const expectOp = (op: string) => {
    const t = tokens[i];
    if (!t || t.kind !== 'op' || t.value !== op) throw new ToolInputError(`expected "${op}" ${t ? `at position ${t.at + 1}` : 'at the end'}`);
    i++;
  };
  const isOp = (op: string) => peek()?.kind === 'op' && peek()!.value === op;

  function expression(): number {
    let value = term();
    while (isOp('+') || isOp('-')) value = tokens[i++]!.value === '+' ? value + term() : value - term();
    return value;
  }
  function term(): number {
    let value = unary();
    while (isOp('*') || isOp('/') || isOp('%')) {
      const op = tokens[i++]!.value;
      const right = unary();
      if ((op === '/' || op === '%') && right === 0) throw new ToolInputError('division by zero');
      value = op === '*' ? value * right : op === '/' ? value / right : value % right;
    }
    return value;
  }
  function unary(): number {
    if (isOp('-')) {
      i++;
      return -unary();
    }
    if (isOp('+')) {
      i++;
      return unary();
    }
    return power();
  }
  function power(): number {
    const base = primary();
    // Right-associative, binding tighter than unary minus on its left: -2^2 = -4.
    if (isOp('^')) {
      i++;
      return base ** unary();
    }
    return base;
  }
  function primary(): number {
    const t = tokens[i++];
    if (!t) throw new ToolInputError('the expression ends too early');
    if (t.kind === 'number') return t.value;
    if (t.kind === 'op' && t.value === '(') {
      const value = expression();
      expectOp(')');
      return value;
    }
    if (t.kind === 'name') {
      if (t.value in CONSTANTS && !isOp('(')) return CONSTANTS[t.value]!;
      const fn = FUNCTIONS[t.value];
      if (!fn) throw new ToolInputError(`unknown name "${t.value}" at position ${t.at + 1}; known: ${[...Object.keys(FUNCTIONS), ...Object.keys(CONSTANTS)].join(', ')}`);
      expectOp('(');
      const args = [expression()];
      while (isOp(',')) {
        i++;
        args.push(expression());
      }
      expectOp(')');
      if (args.length < fn.arity[0] || args.length > fn.arity[1]) throw new ToolInputError(`${t.value} takes ${fn.arity[0]}–${fn.arity[1]} arguments, got ${args.length}`);
      return fn.fn(...args);
    }
    throw new ToolInputError(`unexpected "${t.value}" at position ${t.at + 1}`);
  }

  if (tokens.length === 0) throw new ToolInputError('the expression is empty');
  const value = expression();
  if (i < tokens.length) throw new ToolInputError(`unexpected "${tokens[i]!.value}" at position ${tokens[i]!.at + 1}`);
  if (!Number.isFinite(value)) throw new ToolInputError('the result is not a finite number');
  return value;
}

export const calculatorTool: GraphTool<{ expression: string }> = {
  name: 'calculator',
  description: 'Evaluate an arithmetic expression: + - * / % ^, parentheses, abs, ceil, floor, round, sqrt, min, max, pi, e.',
  args: z.object({ expression: z.union([z.string(), z.number()]).transform(String).pipe(z.string().min(1).max(1000)) }),
  run: async ({ expression }) => evaluateExpression(expression),
};
