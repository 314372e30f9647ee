import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLlmClient, type LlmClient } from '@switchyard/llm';
import { startSimulator } from '@switchyard/llm-simulator';
import { SqliteStore } from '@switchyard/store';
import type { ChildWorkflowRequest, ChildWorkflowStatus, ChildWorkflows } from '@switchyard/engine-kit';
import { LangGraphEngine } from '../runtime/langgraph-engine.ts';
import { modelCalls, runOnce, stepsStarted } from '../testing/engine-fixtures.ts';

/** Every node kind, compiled from a definition and run through the engine against the simulator. */
describe('declarative graphs: node kinds', () => {
  let simulator: Awaited<ReturnType<typeof startSimulator>>;
  let llm: LlmClient;
  let n = 0;
  const id = () => `nk-${++n}`;
  const engine = (options: Partial<ConstructorParameters<typeof LangGraphEngine>[0]> = {}) =>
    new LangGraphEngine({ llm, store: new SqliteStore({ filename: ':memory:' }), recursionLimit: 50, ...options });
  const valuesOf = (result: { status: string; state?: Record<string, unknown> }) => (result.state as { values: Record<string, unknown> }).values;

  beforeAll(async () => {
    simulator = await startSimulator({ port: 0, latencyMs: 0, chunkDelayMs: 15 });
    llm = createLlmClient({ provider: 'simulator', baseUrl: simulator.url });
  });
  afterAll(async () => {
    await simulator.close();
  });

  it('model nodes write text and structured output into state, streaming batched output and usage', async () => {
    const graph = {
      state: { claimNumber: {}, amount: {}, summary: {} },
      entry: 'extract',
      nodes: {
        extract: {
          kind: 'model',
          prompt: 'Extract the claim from: {{input}}',
          schema: { type: 'object', properties: { claimNumber: { type: 'string' }, amount: { type: 'number' } }, required: ['claimNumber', 'amount'] },
          next: 'summarize',
        },
        summarize: { kind: 'model', system: 'You summarise claims in detail.', prompt: 'Summarise claim {{claimNumber}} of {{amount}} dollars: {{input}}', writeTo: 'summary', next: 'END' },
      },
      output: '{{summary}}',
    };
    const { result, events } = await runOnce(engine({ modelOutputIntervalMs: 40 }), id(), 'Claim #555 for $1,250 after a burst pipe flooded the kitchen', { definition: { graph } });
    expect(result.status).toBe('SUCCEEDED');
    expect(valuesOf(result as never)).toMatchObject({ claimNumber: '555', amount: 1250, summary: expect.stringContaining('[simulated]') });
    expect(events.filter((e) => e.type === 'STEP_STARTED' || e.type === 'STEP_COMPLETED').map((e) => `${e.type}:${e.step}`)).toEqual([
      'STEP_STARTED:extract',
      'STEP_COMPLETED:extract',
      'STEP_STARTED:summarize',
      'STEP_COMPLETED:summarize',
    ]);
    expect(events.find((e) => e.type === 'STATE_UPDATED' && e.step === 'extract')?.data).toMatchObject({ keys: ['claimNumber', 'amount'] });
    for (const call of modelCalls(events)) expect(call.data).toMatchObject({ model: expect.any(String), usage: { input: expect.any(Number), output: expect.any(Number), cached: 0 }, latencyMs: expect.any(Number), callId: expect.any(String) });

    const outputs = events.filter((e) => e.type === 'MODEL_OUTPUT' && e.step === 'summarize');
    const summary = valuesOf(result as never)['summary'] as string;
    expect(outputs.at(-1)?.data).toEqual({ text: summary, truncated: false, done: true });
    // Batched: more than one report while the model wrote, far fewer than one per token.
    expect(outputs.length).toBeGreaterThan(1);
    expect(outputs.length).toBeLessThan(summary.split(' ').length / 2);
  });

  it('tool nodes template their arguments, and a tool error becomes an observation instead of a crash', async () => {
    const graph = {
      state: { amount: { default: 40000 }, payout: {}, broken: {}, now: {} },
      entry: 'compute',
      nodes: {
        compute: { kind: 'tool', tool: 'calculator', args: { expression: '{{amount}} * 0.9' }, writeTo: 'payout', next: 'bad' },
        bad: { kind: 'tool', tool: 'calculator', args: { expression: '{{amount}} * (' }, writeTo: 'broken', next: 'clock' },
        clock: { kind: 'tool', tool: 'current_time', args: { timezone: 'Europe/Berlin' }, writeTo: 'now', next: 'END' },
      },
    };
    const { result, events } = await runOnce(engine(), id(), 'compute', { definition: { graph } });
    expect(result.status).toBe('SUCCEEDED');
    expect(valuesOf(result as never)).toMatchObject({ payout: 36000, broken: { error: 'Error: calculator: cannot evaluate "40000 * (": the expression ends too early' }, now: { timezone: 'Europe/Berlin', iso: expect.any(String) } });
    expect(events.filter((e) => e.type === 'TOOL_CALL').map((e) => e.message)).toEqual(['calculator answered', 'calculator failed: Error: calculator: cannot evaluate "40000 * (": the expression ends too early', 'current_time answered']);
  });

  it('routers take the first matching condition, or the default, or the option the model picks', async () => {
    const graph = {
      state: { amount: {}, path: { reducer: 'append' } },
      entry: 'by_amount',
      nodes: {
        by_amount: {
          kind: 'router',
          routes: [
            { when: { key: 'amount', op: 'gt', value: 1000 }, to: 'big' },
            { when: { key: 'amount', op: 'gt', value: 10 }, to: 'medium' },
          ],
          default: 'small',
        },
        big: { kind: 'set', values: { path: 'big' }, next: 'pick' },
        medium: { kind: 'set', values: { path: 'medium' }, next: 'pick' },
        small: { kind: 'set', values: { path: 'small' }, next: 'pick' },
        pick: {
          kind: 'router',
          choose: { prompt: 'Pick how to handle this request: {{input}}', options: { automatic: 'auto', escalate: 'human' } },
          default: 'auto',
        },
        auto: { kind: 'set', values: { path: 'auto' }, next: 'END' },
        human: { kind: 'set', values: { path: 'escalate' }, next: 'END' },
      },
    };
    const run = async (amount: number, input: string) => valuesOf((await runOnce(engine(), id(), input, { definition: { graph: { ...graph, state: { ...graph.state, amount: { default: amount } } } } })).result as never)['path'];
    expect(await run(5000, 'The customer threatens to sue: escalate')).toEqual(['big', 'escalate']);
    expect(await run(50, 'Routine address change, automatic')).toEqual(['medium', 'auto']);
    expect(await run(1, 'Routine address change, automatic')).toEqual(['small', 'auto']);
  });

  it('a fan-out runs its worker once per item (Send) and the join sees every result', async () => {
    const graph = {
      state: { cities: { default: ['Oslo', 'Lima', 'Pune'] }, notes: { reducer: 'append' }, count: {} },
      entry: 'fan',
      nodes: {
        fan: { kind: 'fanout', over: 'cities', to: 'describe', as: 'city', join: 'join' },
        describe: { kind: 'model', prompt: 'Describe {{city}} (item {{index}}) in one line.', maxTokens: 30, writeTo: 'notes' },
        join: { kind: 'tool', tool: 'calculator', args: { expression: '{{notes.length}} + 0' }, writeTo: 'count', next: 'END' },
      },
    };
    const { result, events } = await runOnce(engine(), id(), 'cities', { definition: { graph } });
    expect(result.status).toBe('SUCCEEDED');
    const values = valuesOf(result as never);
    expect(values['notes']).toHaveLength(3);
    expect(values['count']).toBe(3);
    const workers = events.filter((e) => e.type === 'STEP_STARTED' && e.step === 'describe').map((e) => (e.data as { index: number }).index);
    expect(workers.sort()).toEqual([0, 1, 2]);
    expect(stepsStarted(events).filter((s) => s === 'join')).toHaveLength(1);

    const empty = await runOnce(engine(), id(), 'none', { definition: { graph: { ...graph, state: { ...graph.state, cities: { default: [] } } } } });
    expect(valuesOf(empty.result as never)).toMatchObject({ notes: [], count: 0 });
  });

  it('a workflow node starts a child workflow once (idempotency key) and stores its output', async () => {
    const started: ChildWorkflowRequest[] = [];
    const children: ChildWorkflows = {
      runUntilSettled: async (request) => {
        started.push(request);
        return { id: `child-of-${request.idempotencyKey}`, status: 'SUCCEEDED', output: `done: ${request.input}`, error: null, pendingInput: null };
      },
      resume: async () => undefined,
    };
    const graph = {
      state: { research: {} },
      entry: 'delegate',
      nodes: { delegate: { kind: 'workflow', framework: 'CREWAI', input: 'Research {{input}}', writeTo: 'research', next: 'END' } },
      output: '{{research}}',
    };
    const { result } = await runOnce(engine({ children }), 'parent-1', 'solar panels', { definition: { graph } });
    expect(result).toMatchObject({ status: 'SUCCEEDED', output: 'done: Research solar panels' });
    expect(started).toMatchObject([{ idempotencyKey: 'lg:parent-1:delegate:0', framework: 'CREWAI', input: 'Research solar panels', definition: null, tenant: { tenantId: 'acme' } }]);
  });

  it('a child workflow that waits for input makes the parent wait, and the answer is passed on', async () => {
    const state: { child: ChildWorkflowStatus } = { child: { id: 'c1', status: 'WAITING_FOR_INPUT', output: null, error: null, pendingInput: { question: 'ok?' } } };
    const answers: unknown[] = [];
    const children: ChildWorkflows = {
      runUntilSettled: async () => state.child,
      resume: async (_tenant, workflowId, response) => {
        answers.push({ workflowId, response });
        state.child = { id: 'c1', status: 'SUCCEEDED', output: 'child finished', error: null, pendingInput: null };
      },
    };
    const graph = { state: { out: {} }, entry: 'child', nodes: { child: { kind: 'workflow', framework: 'LANGGRAPH', input: '{{input}}', writeTo: 'out', next: 'END' } }, output: '{{out}}' };
    const eng = engine({ children });
    const waiting = await runOnce(eng, 'parent-2', 'x', { definition: { graph } });
    expect(waiting.result).toMatchObject({ status: 'WAITING_FOR_INPUT', pendingInput: { kind: 'child-workflow', childWorkflowId: 'c1', context: { pendingInput: { question: 'ok?' } } } });
    const done = await runOnce(eng, 'parent-2', 'x', { definition: { graph }, resume: { yes: true } });
    expect(done.result).toMatchObject({ status: 'SUCCEEDED', output: 'child finished' });
    expect(answers).toEqual([{ workflowId: 'c1', response: { yes: true } }]);
  });
});
