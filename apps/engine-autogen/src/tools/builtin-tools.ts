import type { ToolSpec } from '@switchyard/llm';

/** A function tool an assistant may call; `run` gets the parsed arguments and returns the result text. */
export interface FunctionTool {
  spec: ToolSpec;
  run(args: Record<string, unknown>): string;
}

/** Arithmetic on numbers with + - * / % ^ and parentheses, parsed (never eval'd). */
export function evaluateArithmetic(expression: string): number {
  const tokens = expression.match(/\d+(?:\.\d+)?(?:e[+-]?\d+)?|[-+*/%^()]|\S/gi) ?? [];
  let pos = 0;
  const peek = () => tokens[pos];
  const take = () => tokens[pos++];
  const primary = (): number => {
    const token = take();
    if (token === '(') {
      const value = sum();
      if (take() !== ')') throw new Error('missing ")"');
      return value;
    }
    if (token === '-') return -primary();
    if (token === '+') return primary();
    if (token !== undefined && /^\d/.test(token)) return Number(token);
    throw new Error(token === undefined ? 'the expression ended early' : `unexpected "${token}"`);
  };
  const power = (): number => {
    const left = primary();
    if (peek() === '^') {
      take();
      return left ** power();
    }
    return left;
  };
  const product = (): number => {
    let value = power();
    while (peek() === '*' || peek() === '/' || peek() === '%') {
      const op = take();
      const right = power();
      value = op === '*' ? value * right : op === '/' ? value / right : value % right;
    }
    return value;
  };
  const sum = (): number => {
    let value = product();
    while (peek() === '+' || peek() === '-') value = take() === '+' ? value + product() : value - product();
    return value;
  };
  const value = sum();
  if (pos < tokens.length) throw new Error(`unexpected "${tokens[pos]}"`);
  return value;
}

/** The tools a team definition may give its assistants, by name. */
export const BUILTIN_TOOLS: Record<string, FunctionTool> = {
  calculator: {
    spec: {
      name: 'calculator',
      description: 'Evaluate an arithmetic expression (numbers, + - * / % ^ and parentheses) and return the number.',
      parameters: { type: 'object', properties: { expression: { type: 'string', description: 'e.g. (12 + 30) * 2' } }, required: ['expression'] },
    },
    run: (args) => {
      const text = String(args.expression ?? '');
      // Models sometimes wrap the expression in words ("What is 6 * 7?"): take the arithmetic part.
      const candidates = text.match(/[\d\s+\-*/%^().]*\d[\d\s+\-*/%^().]*/g) ?? [];
      const expression = candidates.map((c) => c.trim()).sort((a, b) => b.length - a.length)[0] ?? text;
      return String(evaluateArithmetic(expression));
    },
  },
  word_count: {
    spec: {
      name: 'word_count',
      description: 'Count the words and characters of a text.',
      parameters: { type: 'object', properties: { text: { type: 'string', description: 'The text to count' } }, required: ['text'] },
    },
    run: (args) => {
      const text = String(args.text ?? '');
      return JSON.stringify({ words: text.split(/\s+/).filter(Boolean).length, characters: text.length });
    },
  },
  current_time: {
    spec: { name: 'current_time', description: 'The current date and time (UTC, ISO 8601).', parameters: { type: 'object', properties: {} } },
    run: () => new Date().toISOString(),
  },
};
