import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLlmClient, type LlmClient } from '@switchyard/llm';
import { startSimulator } from '@switchyard/llm-simulator';
import { SqliteStore } from '@switchyard/store';
import { LangGraphEngine } from '../../runtime/langgraph-engine.ts';
import { modelCalls, runOnce, stepsStarted } from '../../testing/engine-fixtures.ts';
import { pickTemplate } from './index.ts';

describe('built-in templates', () => {
  let simulator: Awaited<ReturnType<typeof startSimulator>>;
  let llm: LlmClient;
  let engine: LangGraphEngine;
  let n = 0;
  const id = () => `tpl-${++n}`;

  beforeAll(async () => {
    simulator = await startSimulator({ port: 0, latencyMs: 0 });
    llm = createLlmClient({ provider: 'simulator', baseUrl: simulator.url });
    engine = new LangGraphEngine({ llm, store: new SqliteStore({ filename: ':memory:' }), recursionLimit: 50 });
  });
  afterAll(async () => {
    await simulator.close();
  });

  it('picks a template from the request text, else plan-and-execute', () => {
    expect(pickTemplate('Process insurance claim #12345 for $40,000')).toBe('insurance-claim');
    expect(pickTemplate('Please approve the purchase of 3 laptops for $4,500')).toBe('approval-chain');
    expect(pickTemplate('Review this document and extract the fields')).toBe('document-review');
    expect(pickTemplate('Write a haiku about autumn')).toBe('plan-and-execute');
  });

  describe('insurance-claim', () => {
    it('sends a claim above $25,000 to an adjuster and pays out when approved', async () => {
      const workflowId = id();
      const input = 'Process insurance claim #12345 for $40,000';
      const first = await runOnce(engine, workflowId, input);
      expect(first.result).toMatchObject({
        status: 'WAITING_FOR_INPUT',
        pendingInput: { kind: 'human', node: 'adjuster_review', context: { claimNumber: '12345', amount: 40000 } },
      });
      expect(stepsStarted(first.events)).toEqual(['extract_claim', 'check_coverage', 'route_claim', 'adjuster_review']);

      const second = await runOnce(engine, workflowId, input, { resume: { approved: true } });
      expect(second.result).toMatchObject({ status: 'SUCCEEDED', output: 'Payout of $39500 for claim #12345 (claimed $40000, deductible $500).' });
      expect(stepsStarted(second.events)).toEqual(['adjuster_review', 'compute_payout', 'pay_out', 'write_letter']);
      expect(modelCalls(second.events).map((e) => e.step)).toEqual(['write_letter']);
    });

    it('denies a claim above $25,000 when the adjuster says no', async () => {
      const workflowId = id();
      const input = 'Process insurance claim #777 for $30,000 after the storm';
      expect((await runOnce(engine, workflowId, input)).result.status).toBe('WAITING_FOR_INPUT');
      const denied = await runOnce(engine, workflowId, input, { resume: { approved: false, note: 'pre-existing damage' } });
      expect(denied.result).toMatchObject({ status: 'SUCCEEDED', output: 'Claim #777 for $30000 denied.' });
      expect(denied.result.status === 'SUCCEEDED' && denied.result.state).toMatchObject({ values: { outcome: 'denied', decision: { approved: false } } });
    });

    it('asks again when the answer does not match what the adjuster was asked', async () => {
      const workflowId = id();
      const input = 'Process insurance claim #4242 for $99,000';
      await runOnce(engine, workflowId, input);
      const again = await runOnce(engine, workflowId, input, { resume: { approved: 'maybe' } });
      expect(again.result).toMatchObject({ status: 'WAITING_FOR_INPUT', pendingInput: { node: 'adjuster_review', error: expect.stringContaining('approved') } });
      const done = await runOnce(engine, workflowId, input, { resume: { approved: true } });
      expect(done.result).toMatchObject({ status: 'SUCCEEDED', output: expect.stringContaining('Payout of $98500') });
    });

    it('pays a claim of $25,000 or less straight away', async () => {
      const { result, events } = await runOnce(engine, id(), 'Process insurance claim #12345 for $2,000');
      expect(result).toMatchObject({ status: 'SUCCEEDED', output: 'Payout of $1500 for claim #12345 (claimed $2000, deductible $500).' });
      expect(stepsStarted(events)).not.toContain('adjuster_review');
      expect(events.find((e) => e.type === 'STATE_UPDATED' && e.step === 'route_claim')?.data).toMatchObject({ route: 'compute_payout' });
    });
  });

  describe('approval-chain', () => {
    const approve = { approved: true };

    it('needs only the manager up to $10,000', async () => {
      const workflowId = id();
      const input = 'Please approve the purchase of a projector for $3,000';
      expect((await runOnce(engine, workflowId, input)).result).toMatchObject({ status: 'WAITING_FOR_INPUT', pendingInput: { node: 'manager_approval' } });
      const done = await runOnce(engine, workflowId, input, { resume: approve });
      expect(done.result).toMatchObject({ status: 'SUCCEEDED', output: expect.stringMatching(/^Approved: .* for \$3000\./) });
    });

    it('goes manager → director → CFO above $50,000', async () => {
      const workflowId = id();
      const input = 'Approval needed: purchase of a delivery truck for $80,000';
      const asked: unknown[] = [];
      let run = await runOnce(engine, workflowId, input);
      while (run.result.status === 'WAITING_FOR_INPUT') {
        asked.push((run.result.pendingInput as { node: string }).node);
        run = await runOnce(engine, workflowId, input, { resume: approve });
      }
      expect(asked).toEqual(['manager_approval', 'director_approval', 'cfo_approval']);
      expect(run.result.status === 'SUCCEEDED' && run.result.state).toMatchObject({
        values: { outcome: 'approved', approvals: [{ level: 'manager', approved: true }, { level: 'director', approved: true }, { level: 'cfo', approved: true }] },
      });
    });

    it('stops at the director for $20,000 and ends when the director rejects', async () => {
      const workflowId = id();
      const input = 'Approve the purchase of office furniture for $20,000';
      await runOnce(engine, workflowId, input);
      expect((await runOnce(engine, workflowId, input, { resume: approve })).result).toMatchObject({ pendingInput: { node: 'director_approval' } });
      const rejected = await runOnce(engine, workflowId, input, { resume: { approved: false } });
      expect(rejected.result).toMatchObject({ status: 'SUCCEEDED', output: expect.stringMatching(/^Rejected: /) });
    });
  });

  describe('document-review', () => {
    it('verifies every field in parallel and writes the record when confidence is high', async () => {
      const { result, events } = await runOnce(engine, id(), 'Review the signed lease document from Acme Corp and extract its fields');
      expect(result.status).toBe('SUCCEEDED');
      const state = (result.status === 'SUCCEEDED' && result.state) as { values: { fields: unknown[]; verifications: unknown[]; record: Record<string, unknown> } };
      expect(state.values.verifications).toHaveLength(state.values.fields.length);
      expect(state.values.record).toMatchObject({ reviewedByHuman: 0 });
      expect(stepsStarted(events)).not.toContain('human_review');
    });

    it('sends low-confidence fields to a human and records the corrections', async () => {
      const workflowId = id();
      const input = 'Extract the fields of the blurry scanned invoice, legibility 0.4';
      const waiting = await runOnce(engine, workflowId, input);
      expect(waiting.result).toMatchObject({ status: 'WAITING_FOR_INPUT', pendingInput: { node: 'human_review', context: { lowConfidence: [{ confidence: 0.4 }] } } });
      const done = await runOnce(engine, workflowId, input, { resume: { corrections: { total: '1200.00' } } });
      expect(done.result.status === 'SUCCEEDED' && done.result.state).toMatchObject({ values: { record: { corrections: { total: '1200.00' }, reviewedByHuman: 1 } } });
    });
  });
});
