import { describe, expect, it } from 'vitest';
import { evaluateArithmetic } from './arithmetic.ts';
import { builtInTools } from './tool-registry.ts';

const signal = new AbortController().signal;

describe('calculator arithmetic', () => {
  it('evaluates arithmetic with precedence, powers, functions and constants', () => {
    expect(evaluateArithmetic('2 + 3 * 4')).toBe(14);
    expect(evaluateArithmetic('(1200 - 950) / 950 * 100')).toBeCloseTo(26.3158, 3);
    expect(evaluateArithmetic('-2^2')).toBe(-4);
    expect(evaluateArithmetic('2^3^2')).toBe(512);
    expect(evaluateArithmetic('2 ** -1')).toBe(0.5);
    expect(evaluateArithmetic('max(1, 7, 3) + sqrt(16) + round(pi, 2)')).toBeCloseTo(14.14, 10);
    expect(evaluateArithmetic('1_000_000 * 1.5e-3 % 7')).toBe(2);
  });

  it('rejects anything that is not arithmetic, with a reason', () => {
    expect(() => evaluateArithmetic('process.exit(1)')).toThrow('unexpected character "." at position 8');
    expect(() => evaluateArithmetic('require(1)')).toThrow(/unknown name "require"/);
    expect(() => evaluateArithmetic('2 +* 3')).toThrow('unexpected "*" at position 4');
    expect(() => evaluateArithmetic('1 / 0')).toThrow('division by zero');
    expect(() => evaluateArithmetic('(1 + 2')).toThrow('expected ")" at the end');
    expect(() => evaluateArithmetic('2; 3')).toThrow('unexpected character ";" at position 2');
  });
});

describe('built-in tool registry', () => {
  const registry = builtInTools();

  it('publishes JSON Schema arguments for function calling', () => {
    expect(registry.names()).toEqual(['calculator', 'current_time']);
    expect(registry.spec('calculator').parameters).toMatchObject({ type: 'object', properties: { expression: { type: 'string' } }, required: ['expression'] });
    expect(registry.spec('current_time').parameters).toMatchObject({ properties: { timezone: { type: 'string', default: 'UTC' } } });
  });

  it('runs tools, and turns bad arguments and tool errors into observations', async () => {
    expect(await registry.run('calculator', '{"expression": "6 * 7"}', signal)).toEqual({ error: false, observation: '42' });
    expect((await registry.run('current_time', '{}', signal)).observation).toMatch(/^\d{4}-\d{2}-\d{2}T.*\(.*UTC\)$/);
    expect(await registry.run('calculator', '{"expr": "1"}', signal)).toMatchObject({ error: true, observation: expect.stringContaining('invalid arguments for calculator: expression:') });
    expect(await registry.run('calculator', 'not json', signal)).toMatchObject({ error: true, observation: expect.stringContaining('not valid JSON') });
    expect(await registry.run('current_time', { timezone: 'Mars/Olympus' }, signal)).toMatchObject({ error: true, observation: expect.stringContaining('unknown time zone "Mars/Olympus"') });
    expect(await registry.run('web_search', '{}', signal)).toMatchObject({ error: true, observation: 'Error: the tool "web_search" does not exist. Use one of: calculator, current_time.' });
  });
});
