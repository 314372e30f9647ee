import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { IsolateJavaScriptExecutor } from '@switchyard/code-sandbox';
import { defineTool, type ToolCallRecord } from '@switchyard/tools';
import type { TenantContext } from '@switchyard/contracts';
import { TenantToolbox } from './tenant-toolbox.ts';

const tenant: TenantContext = { tenantId: 'acme', role: 'DEVELOPER', keyId: null, subject: 'key:k' };
const echo = defineTool({ name: 'echo', description: 'engine tool', source: 'engine', args: z.object({ text: z.string() }), execute: ({ text }) => text });
const wait = defineTool({
  name: 'wait',
  description: 'answers when aborted',
  source: 'engine',
  args: z.object({}),
  execute: (_args, { signal }) => new Promise((_resolve, reject) => (signal.aborted ? reject(signal.reason) : signal.addEventListener('abort', () => reject(signal.reason)))),
});

describe('TenantToolbox without the tenants service (the defaults)', () => {
  const toolbox = new TenantToolbox({ subject: 'service:test', codeExecutor: new IsolateJavaScriptExecutor(), engineTools: [echo, wait] });

  it("offers the platform's safe tools and the engine's own, and none that reach outside", async () => {
    expect(await toolbox.toolNames(tenant)).toEqual(['calculator', 'current_time', 'word_count', 'run_code', 'knowledge_search', 'echo', 'wait']);
  });

  it("runs a call with the run's context and reports its record", async () => {
    const records: ToolCallRecord[] = [];
    const run = await toolbox.forRun(tenant, 'wf-1', new AbortController().signal);
    const outcome = await run.call('calculator', '{"expression":"2 * 21"}', { onRecord: (r) => records.push(r) });
    expect(outcome).toMatchObject({ ok: true, result: 42 });
    expect(records).toEqual([expect.objectContaining({ tool: 'calculator', source: 'builtin', ok: true, resultBytes: 2 })]);
    expect(run.context).toMatchObject({ tenantId: 'acme', workflowId: 'wf-1', config: { allowedHosts: [] } });
    // No tenants service: no secrets to read; no knowledge service: knowledge_search says so.
    expect(await run.context.secrets.get('slack.webhook_url')).toBeUndefined();
    expect((await run.call('knowledge_search', { query: 'refunds' })).observation).toBe('Error: knowledge_search: the knowledge base is not available to this engine');
    expect((await run.call('http_request', { url: 'https://example.com' })).observation).toMatch(/^Error: there is no tool "http_request"/);
  });

  it("narrows a call's signal without touching the run's", async () => {
    const run = await toolbox.forRun(tenant, 'wf-2', new AbortController().signal);
    const stop = new AbortController();
    stop.abort(new Error('node timeout'));
    await expect(run.call('wait', {}, { signal: stop.signal })).rejects.toThrow('node timeout');
    expect(run.context.signal.aborted).toBe(false);
    expect((await run.call('echo', { text: 'still fine' })).observation).toBe('still fine');
  });
});
