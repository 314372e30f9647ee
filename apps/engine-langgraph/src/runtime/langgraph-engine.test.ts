import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLlmClient, type LlmClient } from '@switchyard/llm';
import { startSimulator } from '@switchyard/llm-simulator';
import { SqliteStore } from '@switchyard/store';
import { createLogger } from '@switchyard/service-kit';
import type { EngineEvent, UniversalAgentState } from '@switchyard/contracts';
import { LangGraphEngine } from './langgraph-engine.ts';

function universalState(workflowId: string, input: string): UniversalAgentState {
  return {
    tenantId: 'acme',
    workflowId,
    userId: 'u',
    workflowType: 'state_machine',
    selectedFramework: 'LANGGRAPH',
    frameworkConfidence: 1,
    userInput: input,
    workflowConfig: {},
    currentStep: 'initialization',
    stepsCompleted: [],
    frameworkStates: {},
    finalOutput: null,
    artifacts: [],
    startTime: new Date().toISOString(),
    endTime: null,
    tokenUsage: { input: 0, output: 0, cached: 0 },
    costUsd: 0,
    errors: [],
    retryCount: 0,
  };
}

describe('LangGraphEngine', () => {
  let simulator: Awaited<ReturnType<typeof startSimulator>>;
  let llm: LlmClient;
  const logger = createLogger('test', 'silent');
  const tenant = { tenantId: 'acme', role: 'DEVELOPER' as const, keyId: null, subject: 's' };

  beforeAll(async () => {
    simulator = await startSimulator({ port: 0, latencyMs: 0 });
    llm = createLlmClient({ provider: 'simulator', baseUrl: simulator.url });
  });
  afterAll(async () => {
    await simulator.close();
  });

  it('runs the plan-and-execute graph to an answer, reporting steps and model calls with usage', async () => {
    const engine = new LangGraphEngine(llm, new SqliteStore({ filename: ':memory:' }), 50);
    const events: EngineEvent[] = [];
    const result = await engine.run(
      { state: universalState('w1', 'Process insurance claim #12345'), definition: null },
      { tenant, emit: (e) => events.push(e), signal: new AbortController().signal, logger },
    );
    expect(result.status).toBe('SUCCEEDED');
    const calls = events.filter((e) => e.type === 'MODEL_CALL');
    expect(calls.length).toBeGreaterThanOrEqual(3);
    for (const call of calls) expect((call.data as { usage: { input: number } }).usage.input).toBeGreaterThan(0);
    expect(events.filter((e) => e.type === 'STEP_STARTED').map((e) => e.step)).toContain('plan');
  });

  it('continues an interrupted run from its checkpoint instead of starting over', async () => {
    const store = new SqliteStore({ filename: ':memory:' });
    const engine = new LangGraphEngine(llm, store, 50);
    const controller = new AbortController();
    const first: EngineEvent[] = [];
    // Abort as soon as the plan is stored: the next run must not plan again.
    await engine
      .run(
        { state: universalState('w2', 'Reconcile the March invoices'), definition: null },
        {
          tenant,
          emit: (e) => {
            first.push(e);
            if (e.type === 'STEP_COMPLETED' && e.step === 'plan') setTimeout(() => controller.abort(new Error('crash')), 0);
          },
          signal: controller.signal,
          logger,
        },
      )
      .catch(() => undefined);
    const second: EngineEvent[] = [];
    const result = await new LangGraphEngine(llm, store, 50).run(
      { state: universalState('w2', 'Reconcile the March invoices'), definition: null },
      { tenant, emit: (e) => second.push(e), signal: new AbortController().signal, logger },
    );
    expect(result.status).toBe('SUCCEEDED');
    const plans = [...first, ...second].filter((e) => e.type === 'MODEL_CALL' && e.step === 'plan');
    expect(plans).toHaveLength(1);
    // A finished run answers again from its checkpoint without calling the model.
    const third: EngineEvent[] = [];
    const again = await engine.run({ state: universalState('w2', 'x'), definition: null }, { tenant, emit: (e) => third.push(e), signal: new AbortController().signal, logger });
    expect(again).toEqual(result);
    expect(third.filter((e) => e.type === 'MODEL_CALL')).toHaveLength(0);
  });
});
