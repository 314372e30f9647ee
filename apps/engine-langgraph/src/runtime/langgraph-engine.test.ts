import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLlmClient, type LlmClient } from '@switchyard/llm';
import { startSimulator } from '@switchyard/llm-simulator';
import { SqliteStore } from '@switchyard/store';
import { modelCalls, runOnce, stepsStarted } from '../testing/engine-fixtures.ts';
import { LangGraphEngine } from './langgraph-engine.ts';

describe('LangGraphEngine with the plan-and-execute graph', () => {
  let simulator: Awaited<ReturnType<typeof startSimulator>>;
  let llm: LlmClient;

  beforeAll(async () => {
    simulator = await startSimulator({ port: 0, latencyMs: 0 });
    llm = createLlmClient({ provider: 'simulator', baseUrl: simulator.url });
  });
  afterAll(async () => {
    await simulator.close();
  });

  it('runs the plan-and-execute graph to an answer, reporting steps and model calls with usage', async () => {
    const engine = new LangGraphEngine({ llm, store: new SqliteStore({ filename: ':memory:' }), recursionLimit: 50 });
    const { result, events } = await runOnce(engine, 'w1', 'Research the history of tea in Japan');
    expect(result.status).toBe('SUCCEEDED');
    const calls = modelCalls(events);
    expect(calls.length).toBeGreaterThanOrEqual(3);
    for (const call of calls) expect((call.data as { usage: { input: number } }).usage.input).toBeGreaterThan(0);
    expect(stepsStarted(events)).toContain('plan');
  });

  it('continues an interrupted run from its checkpoint instead of starting over', async () => {
    const store = new SqliteStore({ filename: ':memory:' });
    const engine = new LangGraphEngine({ llm, store, recursionLimit: 50 });
    // Abort as soon as the plan is stored: the next run must not plan again.
    const first = await runOnce(engine, 'w2', 'Reconcile the March ledgers', { abortWhen: (e) => e.type === 'STEP_COMPLETED' && e.step === 'plan' });
    expect(first.aborted).toBe(true);
    const second = await runOnce(new LangGraphEngine({ llm, store, recursionLimit: 50 }), 'w2', 'Reconcile the March ledgers');
    expect(second.result.status).toBe('SUCCEEDED');
    expect(modelCalls([...first.events, ...second.events], 'plan')).toHaveLength(1);
    // A finished run answers again from its checkpoint without calling the model.
    const third = await runOnce(engine, 'w2', 'x');
    expect(third.result).toEqual(second.result);
    expect(modelCalls(third.events)).toHaveLength(0);
  });
});
