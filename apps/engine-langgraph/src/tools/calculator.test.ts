import { describe, expect, it } from 'vitest';
import { evaluateExpression } from './calculator.ts';

describe('calculator', () => {
  it('follows arithmetic precedence, parentheses and functions', () => {
    expect(evaluateExpression('2 + 3 * 4')).toBe(14);
    expect(evaluateExpression('(2 + 3) * 4')).toBe(20);
    expect(evaluateExpression('-2 ^ 2')).toBe(-4);
    expect(evaluateExpression('2 ** 3 ** 2')).toBe(512);
    expect(evaluateExpression('max(40000 - 500, 0)')).toBe(39500);
    expect(evaluateExpression('round(10 / 3, 2)')).toBe(3.33);
    expect(evaluateExpression('1_000 % 7 + abs(-1)')).toBe(7);
  });

  it('rejects what is not arithmetic with a message that says where', () => {
    expect(() => evaluateExpression('process.exit(1)')).toThrow(/unexpected character "." at position 8/);
    expect(() => evaluateExpression('require(1)')).toThrow(/unknown name "require"/);
    expect(() => evaluateExpression('2 +')).toThrow(/ends too early/);
    expect(() => evaluateExpression('(1 + 2')).toThrow(/expected "\)"/);
    expect(() => evaluateExpression('1 / 0')).toThrow(/division by zero/);
    expect(() => evaluateExpression('2 $ 3')).toThrow(/unexpected character "\$" at position 3/);
  });
});
