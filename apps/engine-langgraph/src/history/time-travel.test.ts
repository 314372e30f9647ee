import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLlmClient, type LlmClient } from '@switchyard/llm';
import { startSimulator } from '@switchyard/llm-simulator';
import { SqliteStore } from '@switchyard/store';
import { LangGraphEngine } from '../runtime/langgraph-engine.ts';
import { modelCalls, runOnce, stepsStarted } from '../testing/engine-fixtures.ts';

describe('time travel: checkpoints and forks', () => {
  let simulator: Awaited<ReturnType<typeof startSimulator>>;
  let llm: LlmClient;
  let engine: LangGraphEngine;
  const input = 'Process insurance claim #12345 for $40,000';

  beforeAll(async () => {
    simulator = await startSimulator({ port: 0, latencyMs: 0 });
    llm = createLlmClient({ provider: 'simulator', baseUrl: simulator.url });
    engine = new LangGraphEngine({ llm, store: new SqliteStore({ filename: ':memory:' }), recursionLimit: 50 });
    await runOnce(engine, 'original', input);
  });
  afterAll(async () => {
    await simulator.close();
  });

  it('lists a run’s checkpoints newest first with the next nodes and state', async () => {
    const checkpoints = await engine.checkpoints('acme', 'original');
    expect(checkpoints.map((c) => c.next)).toEqual([['adjuster_review'], ['route_claim'], ['check_coverage'], ['extract_claim'], ['__start__']]);
    expect(checkpoints.map((c) => c.step)).toEqual([3, 2, 1, 0, -1]);
    expect(checkpoints[1]!.values).toMatchObject({ claimNumber: '12345', amount: 40000, coverage: { covered: true } });
    expect(checkpoints[1]!.values).not.toHaveProperty('_choices');
    // Another tenant sees nothing of it.
    expect(await engine.checkpoints('other-tenant', 'original')).toEqual([]);
  });

  it('forks from the checkpoint before the router with an edited amount: the copy takes the other branch', async () => {
    const beforeRouter = (await engine.checkpoints('acme', 'original')).find((c) => c.next[0] === 'route_claim')!;
    const fork = await runOnce(engine, 'fork-1', input, { definition: { forkOf: { workflowId: 'original', checkpointId: beforeRouter.id, values: { amount: 2000 } } } });
    expect(fork.result).toMatchObject({ status: 'SUCCEEDED', output: 'Payout of $1500 for claim #12345 (claimed $2000, deductible $500).' });
    expect(fork.events[0]).toMatchObject({ type: 'FORKED', data: { workflowId: 'original', checkpointId: beforeRouter.id } });
    expect(stepsStarted(fork.events)).toEqual(['recovery', 'route_claim', 'compute_payout', 'pay_out', 'write_letter']);
    // Extraction and coverage are not repeated: the only model call is the letter.
    expect(modelCalls(fork.events).map((e) => e.step)).toEqual(['write_letter']);
    // The original is untouched and still waits for its adjuster.
    expect((await runOnce(engine, 'original', input)).result).toMatchObject({ status: 'WAITING_FOR_INPUT' });
  });

  it('forks the waiting checkpoint unchanged: the copy waits for its own answer', async () => {
    const waiting = (await engine.checkpoints('acme', 'original'))[0]!;
    const fork = await runOnce(engine, 'fork-2', input, { definition: { forkOf: { workflowId: 'original', checkpointId: waiting.id } } });
    expect(fork.result).toMatchObject({ status: 'WAITING_FOR_INPUT', pendingInput: { node: 'adjuster_review' } });
    const denied = await runOnce(engine, 'fork-2', input, { definition: null, resume: { approved: false } });
    expect(denied.result).toMatchObject({ status: 'SUCCEEDED', output: 'Claim #12345 for $40000 denied.' });
  });

  it('refuses forks of unknown workflows and edits of unknown state keys', async () => {
    const [latest] = await engine.checkpoints('acme', 'original');
    expect((await runOnce(engine, 'fork-3', input, { definition: { forkOf: { workflowId: 'nope', checkpointId: latest!.id } } })).result).toMatchObject({ code: 'BAD_DEFINITION' });
    expect((await runOnce(engine, 'fork-4', input, { definition: { forkOf: { workflowId: 'original', checkpointId: latest!.id, values: { amout: 1 } } } })).result).toMatchObject({
      code: 'BAD_DEFINITION',
      error: expect.stringContaining('definition.forkOf.values.amout: not a state key'),
    });
  });
});
