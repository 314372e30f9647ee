import { describe, expect, it } from 'vitest';
import { IsolateJavaScriptExecutor } from '@switchyard/code-sandbox';
import { ToolRegistry } from '../registry.ts';
import type { ToolContext } from '../tool.ts';
import { calculatorTool, currentTimeTool, evaluateArithmetic, knowledgeSearchTool, runCodeTool, wordCountTool } from './index.ts';

const context = (): ToolContext => ({ tenantId: 'acme', workflowId: 'wf-1', signal: new AbortController().signal, secrets: { get: async () => undefined }, config: {} });

describe('arithmetic', () => {
  it('evaluates arithmetic with precedence, powers, functions and constants', () => {
    expect(evaluateArithmetic('2 + 3 * 4')).toBe(14);
    expect(evaluateArithmetic('(1200 - 950) / 950 * 100')).toBeCloseTo(26.3158, 3);
    expect(evaluateArithmetic('-2^2')).toBe(-4);
    expect(evaluateArithmetic('2 ** 3 ** 2')).toBe(512);
    expect(evaluateArithmetic('2 ** -1')).toBe(0.5);
    expect(evaluateArithmetic('max(40000 - 500, 0)')).toBe(39500);
    expect(evaluateArithmetic('round(10 / 3, 2)')).toBe(3.33);
    expect(evaluateArithmetic('max(1, 7, 3) + sqrt(16) + round(pi, 2)')).toBeCloseTo(14.14, 10);
    expect(evaluateArithmetic('1_000_000 * 1.5e-3 % 7')).toBe(2);
  });

  it('rejects anything that is not arithmetic, with a reason that says where', () => {
    expect(() => evaluateArithmetic('process.exit(1)')).toThrow('unexpected character "." at position 8');
    expect(() => evaluateArithmetic('require(1)')).toThrow(/unknown name "require"/);
    expect(() => evaluateArithmetic('2 +* 3')).toThrow('unexpected "*" at position 4');
    expect(() => evaluateArithmetic('2 +')).toThrow('the expression ends too early');
    expect(() => evaluateArithmetic('1 / 0')).toThrow('division by zero');
    expect(() => evaluateArithmetic('(1 + 2')).toThrow('expected ")" at the end');
    expect(() => evaluateArithmetic('2; 3')).toThrow('unexpected character ";" at position 2');
  });
});

describe('built-in tools', () => {
  const registry = new ToolRegistry([calculatorTool, currentTimeTool, wordCountTool]);

  it('calculator and word_count answer through the registry', async () => {
    expect((await registry.call('calculator', '{"expression":"6 * 7"}', context())).observation).toBe('42');
    expect((await registry.call('word_count', { text: 'One two. Three four five!' }, context())).result).toEqual({ words: 5, sentences: 2, characters: 25 });
  });

  it('current_time answers in the asked time zone and refuses an unknown one', async () => {
    const { result } = await registry.call('current_time', { timezone: 'Asia/Tokyo' }, context());
    const { iso, local, timezone } = result as { iso: string; local: string; timezone: string };
    expect(timezone).toBe('Asia/Tokyo');
    expect(Math.abs(Date.parse(iso) - Date.now())).toBeLessThan(60_000);
    // Tokyo is UTC+9 with no daylight saving time.
    const tokyoHour = (new Date(iso).getUTCHours() + 9) % 24;
    expect(local).toMatch(new RegExp(`\\b${String(tokyoHour).padStart(2, '0')}:\\d{2}:\\d{2}`));
    expect((await registry.call('current_time', { timezone: 'Mars/Olympus' }, context())).observation).toBe(
      'Error: current_time: unknown time zone "Mars/Olympus"; use an IANA name such as "UTC" or "America/New_York"',
    );
  });

  it('run_code runs the program in the sandbox and reports what the code did, limits included', async () => {
    const executor = new IsolateJavaScriptExecutor({ timeoutMs: 500 });
    const tools = new ToolRegistry([runCodeTool(executor)]);
    const ok = await tools.call('run_code', { language: 'js', code: 'console.log([1,2,3].reduce((a, b) => a + b))' }, context());
    expect(ok.result).toMatchObject({ exitCode: 0, stdout: '6\n' });
    const loop = await tools.call('run_code', { language: 'javascript', code: 'while (true) {}' }, context());
    expect(loop.ok).toBe(true);
    expect(loop.result).toMatchObject({ exitCode: 124, timedOut: true });
    const other = await tools.call('run_code', { language: 'cobol', code: 'DISPLAY "HI"' }, context());
    expect((other.result as { exitCode: number; stderr: string }).exitCode).not.toBe(0);
    expect((other.result as { stderr: string }).stderr).toMatch(/cobol/);
  });

  it('knowledge_search passes the calling tenant and formats hits with their sources', async () => {
    const asked: Array<[string, number, string]> = [];
    const tool = knowledgeSearchTool(async (query, first, ctx) => {
      asked.push([query, first, ctx.tenantId]);
      return query === 'nothing' ? [] : [{ documentId: 'd1', title: 'Refund policy', text: 'Refunds within 30 days.', score: 0.91234 }];
    });
    const tools = new ToolRegistry([tool]);
    expect((await tools.call('knowledge_search', { query: 'refunds' }, context())).result).toEqual([
      { rank: 1, source: 'Refund policy', documentId: 'd1', score: 0.912, text: 'Refunds within 30 days.' },
    ]);
    expect((await tools.call('knowledge_search', { query: 'nothing', first: 2 }, context())).observation).toBe('No passage of the knowledge base matches this query.');
    expect(asked).toEqual([['refunds', 5, 'acme'], ['nothing', 2, 'acme']]);
  });
});
