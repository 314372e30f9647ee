import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createLlmClient, type LlmClient } from '@switchyard/llm';
import { startSimulator } from '@switchyard/llm-simulator';
import { SqliteStore, type DocumentStore } from '@switchyard/store';
import { CHECKPOINT_COLLECTIONS } from '@switchyard/langgraph-checkpoint';
import { defineTool, type Tool } from '@switchyard/tools';
import { IsolateJavaScriptExecutor } from '@switchyard/code-sandbox';
import { TenantToolbox } from '@switchyard/engine-kit';
import { filterListTool } from '../tools/filter-list.ts';

const toolboxWith = (...tools: Tool[]) => new TenantToolbox({ subject: 'service:engine-langgraph', codeExecutor: new IsolateJavaScriptExecutor(), engineTools: [filterListTool, ...tools] });
import { modelCalls, runOnce, stepsStarted } from '../testing/engine-fixtures.ts';
import { LangGraphEngine } from './langgraph-engine.ts';

/** Retries, timeouts, the recursion limit, crashes and restarts, and definitions that fail fast. */
/** Three model nodes in a row: a crash can fall between any two of them. */
const threeModelSteps = {
  state: { a: {}, b: {}, c: {} },
  entry: 'first',
  nodes: {
    first: { kind: 'model', prompt: 'First: {{input}}', writeTo: 'a', next: 'second' },
    second: { kind: 'model', prompt: 'Second: {{a}}', writeTo: 'b', next: 'third' },
    third: { kind: 'model', prompt: 'Third: {{b}}', writeTo: 'c', next: 'END' },
  },
};

describe('LangGraphEngine durability', () => {
  let simulator: Awaited<ReturnType<typeof startSimulator>>;
  let llm: LlmClient;
  let dir: string;
  let n = 0;
  const id = () => `d-${++n}`;
  const memoryEngine = (options: Partial<ConstructorParameters<typeof LangGraphEngine>[0]> = {}) =>
    new LangGraphEngine({ llm, store: new SqliteStore({ filename: ':memory:' }), recursionLimit: 50, ...options });

  beforeAll(async () => {
    simulator = await startSimulator({ port: 0, latencyMs: 0 });
    llm = createLlmClient({ provider: 'simulator', baseUrl: simulator.url });
    dir = mkdtempSync(join(tmpdir(), 'switchyard-lg-durability-'));
  });
  afterAll(async () => {
    await simulator.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('retries a failing node per its retry policy until it succeeds', async () => {
    let calls = 0;
    const flaky = defineTool({
      name: 'flaky_lookup',
      description: 'fails twice, then answers',
      args: z.object({ key: z.string() }),
      execute: async ({ key }) => {
        calls += 1;
        if (calls <= 2) throw new Error(`lookup service unavailable (call ${calls})`);
        return { key, found: true };
      },
    });
    const graph = {
      state: { hit: {} },
      entry: 'lookup',
      nodes: { lookup: { kind: 'tool', tool: 'flaky_lookup', args: { key: '{{input}}' }, writeTo: 'hit', retry: { maxAttempts: 3, backoffMs: 10 }, next: 'END' } },
    };
    const { result, events } = await runOnce(memoryEngine({ toolbox: toolboxWith(flaky) }), id(), 'policy-9', { definition: { graph } });
    expect(result).toMatchObject({ status: 'SUCCEEDED', state: { values: { hit: { key: 'policy-9', found: true } } } });
    expect(calls).toBe(3);
    expect(events.filter((e) => e.type === 'STEP_RETRYING').map((e) => e.message)).toEqual(['lookup service unavailable (call 1)', 'lookup service unavailable (call 2)']);
  });

  it('a tool that keeps failing leaves its last error in state once the attempts run out', async () => {
    const broken = defineTool({ name: 'broken', description: 'always fails', args: z.object({}), execute: async () => Promise.reject(new Error('backend down')) });
    const graph = { state: { hit: {} }, entry: 'lookup', nodes: { lookup: { kind: 'tool', tool: 'broken', writeTo: 'hit', retry: { maxAttempts: 2, backoffMs: 5 }, next: 'END' } } };
    const { result } = await runOnce(memoryEngine({ toolbox: toolboxWith(broken) }), id(), 'x', { definition: { graph } });
    expect(result).toMatchObject({ status: 'SUCCEEDED', state: { values: { hit: { error: 'Error: broken failed: backend down' } } } });
  });

  it('retries a model node whose provider answers 500, through the real openai SDK', async () => {
    // No client-side retries: the node's retry policy is what recovers.
    const strictLlm = createLlmClient({ provider: 'simulator', baseUrl: simulator.url, maxRetries: 0 });
    await fetch(new URL('/_simulator/faults', simulator.url.replace(/\/v1$/, '/')), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ faults: ['500', '500'] }) });
    const before = simulator.stats().faultsInjected;
    const graph = { state: { answer: {} }, entry: 'ask', nodes: { ask: { kind: 'model', prompt: '{{input}}', writeTo: 'answer', retry: { maxAttempts: 3, backoffMs: 10 }, next: 'END' } } };
    const { result, events } = await runOnce(memoryEngine({ llm: strictLlm }), id(), 'Say hello', { definition: { graph } });
    expect(result.status).toBe('SUCCEEDED');
    expect(simulator.stats().faultsInjected - before).toBe(2);
    expect(events.filter((e) => e.type === 'STEP_RETRYING')).toHaveLength(2);
    expect(modelCalls(events)).toHaveLength(1);
  });

  it('fails a node that exceeds its timeout', async () => {
    const hang = defineTool({
      name: 'hang',
      description: 'never answers',
      args: z.object({}),
      execute: (_args, { signal }) => new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
    });
    const graph = { state: { out: {} }, entry: 'wait', nodes: { wait: { kind: 'tool', tool: 'hang', writeTo: 'out', timeoutMs: 50, next: 'END' } } };
    const { result } = await runOnce(memoryEngine({ toolbox: toolboxWith(hang) }), id(), 'x', { definition: { graph } });
    expect(result).toMatchObject({ status: 'FAILED', code: 'NODE_TIMEOUT' });
  });

  it('stops a graph that loops past its recursion limit', async () => {
    const graph = {
      state: { count: { reducer: 'sum' } },
      entry: 'tick',
      recursionLimit: 8,
      nodes: {
        tick: { kind: 'set', values: { count: 1 }, next: 'check' },
        check: { kind: 'router', routes: [{ when: { key: 'count', op: 'gt', value: 1000 }, to: 'END' }], default: 'tick' },
      },
    };
    const { result } = await runOnce(memoryEngine(), id(), 'x', { definition: { graph } });
    expect(result).toMatchObject({ status: 'FAILED', code: 'RECURSION_LIMIT' });
  });

  it('continues after a crash between nodes from the last checkpoint, without re-running finished nodes', async () => {
    const filename = join(dir, 'crash.db');
    const graph = threeModelSteps;
    const first = await runOnce(new LangGraphEngine({ llm, store: new SqliteStore({ filename }), recursionLimit: 50 }), 'crashy', 'Plan the offsite', {
      definition: { graph },
      abortWhen: (e) => e.type === 'STEP_COMPLETED' && e.step === 'first',
    });
    expect(first.aborted).toBe(true);
    expect(stepsStarted(first.events)).not.toContain('third');

    // A new process: a new store handle and engine on the same file.
    const second = await runOnce(new LangGraphEngine({ llm, store: new SqliteStore({ filename }), recursionLimit: 50 }), 'crashy', 'Plan the offsite', { definition: { graph } });
    expect(second.result.status).toBe('SUCCEEDED');
    expect(second.events[0]).toMatchObject({ type: 'STEP_STARTED', step: 'recovery' });
    expect(stepsStarted(second.events)).not.toContain('first');
    const all = [...first.events, ...second.events];
    expect(modelCalls(all, 'first')).toHaveLength(1);
    expect(modelCalls(all, 'third')).toHaveLength(1);
  });

  it('continues a step whose node finished but whose checkpoint was never written (a crash in between), instead of calling the run finished', async () => {
    const filename = join(dir, 'between-writes-and-checkpoint.db');
    const graph = threeModelSteps;
    // The process "dies" when it writes the checkpoint after the first step: its node's writes are saved, the checkpoint is not.
    const store = new SqliteStore({ filename });
    const dying: DocumentStore = {
      ...store,
      collection: (name, options) => {
        const collection = store.collection(name, options);
        if (name !== CHECKPOINT_COLLECTIONS.checkpoints) return collection;
        return Object.assign(Object.create(collection), {
          upsert: async (doc: { meta?: { step?: number } }) => {
            if (doc.meta?.step === 1) throw new Error('the process died here');
            return collection.upsert(doc as never);
          },
        });
      },
      deleteTenant: (tenantId) => store.deleteTenant(tenantId),
      exportTenant: (tenantId) => store.exportTenant(tenantId),
      close: () => store.close(),
    };
    const first = await runOnce(new LangGraphEngine({ llm, store: dying, recursionLimit: 50 }), 'between', 'Plan the offsite', { definition: { graph } }).catch((error: Error) => ({ error }));
    expect(JSON.stringify(first)).toContain('the process died here');

    const second = await runOnce(new LangGraphEngine({ llm, store: new SqliteStore({ filename }), recursionLimit: 50 }), 'between', 'Plan the offsite', { definition: { graph } });
    expect(second.result.status).toBe('SUCCEEDED');
    expect(stepsStarted(second.events)).toEqual(expect.arrayContaining(['second', 'third']));
    expect(stepsStarted(second.events)).not.toContain('first');
    expect(modelCalls(second.events, 'third')).toHaveLength(1);
  });

  it('keeps a human step waiting across a restart and continues with the answer in a new engine', async () => {
    const filename = join(dir, 'human.db');
    const definition = { template: 'insurance-claim' };
    const input = 'Process insurance claim #9001 for $60,000';
    const waiting = await runOnce(new LangGraphEngine({ llm, store: new SqliteStore({ filename }), recursionLimit: 50 }), 'human-1', input, { definition });
    expect(waiting.result).toMatchObject({ status: 'WAITING_FOR_INPUT', pendingInput: { node: 'adjuster_review', prompt: expect.stringContaining('$60000') } });

    // Posted again before anyone answered (the orchestrator recovered it): still waiting, nothing re-run.
    const restarted = new LangGraphEngine({ llm, store: new SqliteStore({ filename }), recursionLimit: 50 });
    const still = await runOnce(restarted, 'human-1', input, { definition });
    expect(still.result).toMatchObject({ status: 'WAITING_FOR_INPUT' });
    expect(still.events).toEqual([]);

    const done = await runOnce(new LangGraphEngine({ llm, store: new SqliteStore({ filename }), recursionLimit: 50 }), 'human-1', input, { definition, resume: { approved: true } });
    expect(done.result).toMatchObject({ status: 'SUCCEEDED', output: expect.stringContaining('Payout of $59500') });
    expect(modelCalls(done.events).map((e) => e.step)).toEqual(['write_letter']);
  });

  it('fails a bad definition fast, naming the path, before any model call', async () => {
    const before = simulator.stats().chatCompletions;
    const bad = {
      graph: {
        state: { draft: {} },
        entry: 'write',
        nodes: {
          write: { kind: 'model', prompt: '{{input}}', writeTo: 'draft', next: 'review' },
          review: { kind: 'human', prompt: 'ok?', writeTo: 'draft', next: 'aprove' },
          approve: { kind: 'set', values: { draft: 'ok' }, next: 'END' },
        },
      },
    };
    const engine = memoryEngine();
    expect((await runOnce(engine, id(), 'x', { definition: bad })).result).toEqual({
      status: 'FAILED',
      code: 'BAD_DEFINITION',
      error: 'Invalid graph definition: definition.nodes.review.next: no node named "aprove" (did you mean "approve"?)',
    });
    expect((await runOnce(engine, id(), 'x', { definition: { template: 'nope' } })).result).toMatchObject({ code: 'BAD_DEFINITION', error: expect.stringContaining('definition.template: no template named "nope"') });
    expect((await runOnce(engine, id(), 'x', { definition: { definitionId: 'missing' } })).result).toMatchObject({ code: 'BAD_DEFINITION', error: expect.stringContaining('definition.definitionId') });
    expect((await runOnce(engine, id(), 'x', { definition: { crew: [] } })).result).toMatchObject({ code: 'BAD_DEFINITION' });
    expect(simulator.stats().chatCompletions).toBe(before);
  });
});
