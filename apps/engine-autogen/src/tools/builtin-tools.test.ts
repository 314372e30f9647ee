import { describe, expect, it } from 'vitest';
import { BUILTIN_TOOLS, evaluateArithmetic } from './builtin-tools.ts';

describe('built-in tools', () => {
  it('evaluates arithmetic with precedence and parentheses, without eval', () => {
    expect(evaluateArithmetic('(12 + 30) * 2')).toBe(84);
    expect(evaluateArithmetic('2 ^ 3 ^ 2')).toBe(512);
    expect(evaluateArithmetic('-4 + 10 % 3 / 2')).toBe(-3.5);
    expect(() => evaluateArithmetic('process.exit(1)')).toThrow(/unexpected "p"/);
    expect(() => evaluateArithmetic('(1 + 2')).toThrow(/missing "\)"/);
  });

  it('the calculator takes the arithmetic out of a sentence', () => {
    expect(BUILTIN_TOOLS.calculator!.run({ expression: 'What is (12 + 30) * 2?' })).toBe('84');
    expect(BUILTIN_TOOLS.word_count!.run({ text: 'three little words' })).toBe('{"words":3,"characters":18}');
  });
});
