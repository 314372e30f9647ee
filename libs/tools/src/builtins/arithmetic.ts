/**
 * A small arithmetic evaluator for the calculator tool: numbers, + - * / % ^, parentheses, unary minus,
 * the constants pi and e, and a few functions. A recursive-descent parser, so model-written input is
 * never handed to eval or Function.
 */
export function evaluateArithmetic(expression: string): number {
  const parser = new ArithmeticParser(expression);
  const value = parser.parseExpression();
  parser.expectEnd();
  if (!Number.isFinite(value)) throw new Error(`the result is not a finite number (${value})`);
  return value;
}

const FUNCTIONS: Record<string, { arity: [number, number]; apply: (...args: number[]) => number }> = {
  sqrt: { arity: [1, 1], apply: Math.sqrt },
  abs: { arity: [1, 1], apply: Math.abs },
  round: { arity: [1, 2], apply: (x, digits = 0) => Math.round(x * 10 ** digits) / 10 ** digits },
  floor: { arity: [1, 1], apply: Math.floor },
  ceil: { arity: [1, 1], apply: Math.ceil },
  ln: { arity: [1, 1], apply: Math.log },
  log10: { arity: [1, 1], apply: Math.log10 },
  exp: { arity: [1, 1], apply: Math.exp },
  min: { arity: [1, 32], apply: Math.min },
  max: { arity: [1, 32], apply: Math.max },
};
const CONSTANTS: Record<string, number> = { pi: Math.PI, e: Math.E };

type Token = { kind: 'number'; value: number; at: number } | { kind: 'name'; value: string; at: number } | { kind: 'op'; value: string; at: number };

class ArithmeticParser {
  private readonly tokens: Token[];
  private position = 0;

  constructor(source: string) {
    if (source.length > 500) throw new Error('the expression is longer than 500 characters');
    this.tokens = tokenize(source);
  }

  parseExpression(): number {
    let value = this.parseTerm();
    for (let op = this.peekOp(); op === '+' || op === '-'; op = this.peekOp()) {
      this.position++;
      const right = this.parseTerm();
      value = op === '+' ? value + right : value - right;
    }
    return value;
  }

  expectEnd(): void {
    const token = this.tokens[this.position];
    if (token) throw new Error(`unexpected "${token.value}" at position ${token.at + 1}`);
  }

  private parseTerm(): number {
    let value = this.parseUnary();
    for (let op = this.peekOp(); op === '*' || op === '/' || op === '%'; op = this.peekOp()) {
      this.position++;
      const right = this.parseUnary();
      if ((op === '/' || op === '%') && right === 0) throw new Error('division by zero');
      value = op === '*' ? value * right : op === '/' ? value / right : value % right;
    }
    return value;
  }

  private parseUnary(): number {
    const op = this.peekOp();
    if (op === '-' || op === '+') {
      this.position++;
      const value = this.parseUnary();
      return op === '-' ? -value : value;
    }
    return this.parsePower();
  }

  // Right-associative, and binds tighter than unary minus on its left: -2^2 = -4, 2^-1 = 0.5.
  private parsePower(): number {
    const base = this.parsePrimary();
    if (this.peekOp() !== '^') return base;
    this.position++;
    return base ** this.parseUnary();
  }

  private parsePrimary(): number {
    const token = this.tokens[this.position++];
    if (!token) throw new Error('the expression ends too early');
    if (token.kind === 'number') return token.value;
    if (token.kind === 'op' && token.value === '(') {
      const value = this.parseExpression();
      this.expectOp(')');
      return value;
    }
    if (token.kind === 'name') {
      const name = token.value.toLowerCase();
      const fn = FUNCTIONS[name];
      if (fn) {
        this.expectOp('(');
        const args = [this.parseExpression()];
        while (this.peekOp() === ',') {
          this.position++;
          args.push(this.parseExpression());
        }
        this.expectOp(')');
        if (args.length < fn.arity[0] || args.length > fn.arity[1]) throw new Error(`${name} takes ${fn.arity.join(' to ')} arguments, got ${args.length}`);
        return fn.apply(...args);
      }
      const constant = CONSTANTS[name];
      if (constant !== undefined) return constant;
      throw new Error(`unknown name "${token.value}"; use numbers, + - * / % ^, parentheses, pi, e, or ${Object.keys(FUNCTIONS).join(', ')}`);
    }
    throw new Error(`unexpected "${token.value}" at position ${token.at + 1}`);
  }

  private peekOp(): string | undefined {
    const token = this.tokens[this.position];
    return token?.kind === 'op' ? token.value : undefined;
  }

  private expectOp(op: string): void {
    const token = this.tokens[this.position++];
    if (token?.kind !== 'op' || token.value !== op) throw new Error(`expected "${op}"${token ? ` at position ${token.at + 1}` : ' at the end'}`);
  }
}

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  const pattern = /\s+|(\d[\d_]*(?:\.\d+)?(?:e[+-]?\d+)?|\.\d+(?:e[+-]?\d+)?)|([A-Za-z_]\w*)|(\*\*)|([-+*/%^(),])|(.)/giy;
  for (let m = pattern.exec(source); m && m[0] !== ''; m = pattern.exec(source)) {
    if (m[1] !== undefined) {
      // Commas separate function arguments, so only underscores group digits (1_200).
      const value = Number(m[1].replace(/_/g, ''));
      tokens.push({ kind: 'number', value, at: m.index });
    } else if (m[2] !== undefined) tokens.push({ kind: 'name', value: m[2], at: m.index });
    else if (m[3] !== undefined) tokens.push({ kind: 'op', value: '^', at: m.index });
    else if (m[4] !== undefined) tokens.push({ kind: 'op', value: m[4], at: m.index });
    else if (m[5] !== undefined) throw new Error(`unexpected character "${m[5]}" at position ${m.index + 1}`);
  }
  return tokens;
}
