import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ToolRegistry, type ToolCallRecord } from './registry.ts';
import { defineTool, ToolError, type ToolContext } from './tool.ts';
import { toLangChainTools } from './langchain.ts';
import { calculatorTool, currentTimeTool } from './builtins/index.ts';

function context(overrides: Partial<ToolContext> = {}): ToolContext {
  return { tenantId: 't1', signal: new AbortController().signal, secrets: { get: async () => undefined }, config: {}, ...overrides };
}

const echo = defineTool({
  name: 'echo',
  description: 'Echo a message a number of times.',
  args: z.object({ message: z.string().min(1), times: z.number().int().min(1).max(3).default(1) }),
  execute: ({ message, times }) => Array.from({ length: times }, () => message).join(' '),
});

describe('ToolRegistry', () => {
  const registry = new ToolRegistry([calculatorTool, currentTimeTool, echo]);

  it('publishes each tool as an OpenAI function spec with JSON Schema arguments', () => {
    expect(registry.names()).toEqual(['calculator', 'current_time', 'echo']);
    expect(registry.spec('echo')).toEqual({
      name: 'echo',
      description: 'Echo a message a number of times.',
      parameters: {
        type: 'object',
        properties: { message: { type: 'string', minLength: 1 }, times: { type: 'integer', minimum: 1, maximum: 3, default: 1 } },
        required: ['message'],
      },
    });
    expect(registry.spec('calculator').parameters).not.toHaveProperty('$schema');
  });

  it('validates arguments before the tool runs and says what was expected', async () => {
    let ran = 0;
    const counted = new ToolRegistry([defineTool({ name: 'counted', description: 'x', args: z.object({ n: z.number() }), execute: () => ++ran })]);
    const outcome = await counted.call('counted', '{"n":"seven"}', context());
    expect(outcome.ok).toBe(false);
    expect(outcome.observation).toMatch(/^Error: invalid arguments for counted: n: Invalid input: expected number, received string\. Expected arguments matching \{/);
    expect(ran).toBe(0);
    expect((await counted.call('counted', { n: 7 }, context())).ok).toBe(true);
    expect(ran).toBe(1);
  });

  it('applies schema defaults and records every call with its arguments, size and duration', async () => {
    const records: ToolCallRecord[] = [];
    const outcome = await registry.call('echo', '{"message":"héllo"}', context(), (r) => records.push(r));
    expect(outcome).toMatchObject({ ok: true, observation: 'héllo', result: 'héllo' });
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ tool: 'echo', source: 'builtin', arguments: { message: 'héllo', times: 1 }, ok: true, resultBytes: 6 });
    expect(records[0]!.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('turns unknown tools, bad JSON and failing tools into observations, and records them too', async () => {
    const records: ToolCallRecord[] = [];
    const failing = defineTool({ name: 'failing', description: 'x', args: z.object({}), execute: () => { throw new Error('disk on fire'); } });
    const refusing = defineTool({ name: 'refusing', description: 'x', args: z.object({}), execute: () => { throw new ToolError('set the integration secret slack.webhook_url'); } });
    const r = registry.with(failing, refusing);
    const onRecord = (record: ToolCallRecord) => records.push(record);
    expect((await r.call('web_search', '{}', context(), onRecord)).observation).toBe('Error: there is no tool "web_search". Use one of: calculator, current_time, echo, failing, refusing.');
    expect((await r.call('echo', 'not json', context(), onRecord)).observation).toMatch(/^Error: the arguments for echo are not valid JSON: not json\./);
    expect((await r.call('failing', '', context(), onRecord)).observation).toBe('Error: failing failed: disk on fire');
    expect((await r.call('refusing', {}, context(), onRecord)).observation).toBe('Error: refusing: set the integration secret slack.webhook_url');
    expect((await r.call('calculator', { expression: '1/0' }, context(), onRecord)).observation).toBe('Error: calculator: cannot evaluate "1/0": division by zero');
    expect(records.map((rec) => [rec.tool, rec.ok])).toEqual([['web_search', false], ['echo', false], ['failing', false], ['refusing', false], ['calculator', false]]);
    await expect(new ToolRegistry().call('x', {}, context()).then((o) => o.observation)).resolves.toBe('Error: there is no tool "x". No tools are available; answer without them.');
  });

  it('propagates an abort instead of reporting it as a tool failure', async () => {
    const controller = new AbortController();
    const slow = defineTool({
      name: 'slow',
      description: 'x',
      args: z.object({}),
      execute: (_args, ctx) => new Promise((_resolve, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('stopped')))),
    });
    const pending = new ToolRegistry([slow]).call('slow', {}, context({ signal: controller.signal }));
    controller.abort(new Error('workflow cancelled'));
    await expect(pending).rejects.toThrow('workflow cancelled');
  });

  it('cuts long observations and says so, while the record keeps the full size', async () => {
    const big = defineTool({ name: 'big', description: 'x', args: z.object({}), execute: () => 'x'.repeat(50) });
    const outcome = await new ToolRegistry([big], { maxObservationChars: 10 }).call('big', {}, context());
    expect(outcome.observation).toBe('xxxxxxxxxx\n[truncated: the result has 50 characters, only the first 10 are shown]');
    expect(outcome.record.resultBytes).toBe(50);
  });

  it('keeps names unique and valid as OpenAI function names, and filters to the enabled ones', () => {
    expect(() => new ToolRegistry([echo, echo])).toThrow('two tools are called "echo"');
    expect(() => new ToolRegistry([{ ...echo, name: 'has space' }])).toThrow(/must be 1-64 letters/);
    expect(registry.only(['echo', 'nope']).names()).toEqual(['echo']);
  });
});

describe('toLangChainTools', () => {
  it('gives LangChain tools that call through the registry, with its validation and records', async () => {
    const records: ToolCallRecord[] = [];
    const registry = new ToolRegistry([calculatorTool, echo]);
    const tools = toLangChainTools(registry, context(), (r) => records.push(r));
    expect(tools.map((t) => t.name)).toEqual(['calculator', 'echo']);
    const calculator = tools[0]!;
    expect(await calculator.invoke({ expression: '6 * 7' })).toBe('42');
    // A tool call as a model makes it: the ToolMessage carries the observation and the call id.
    const message = await tools[1]!.invoke({ type: 'tool_call', id: 'call_1', name: 'echo', args: { message: 'hi', times: 2 } });
    expect(message).toMatchObject({ content: 'hi hi', tool_call_id: 'call_1' });
    expect(records.map((r) => r.tool)).toEqual(['calculator', 'echo']);
  });
});
