import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { ResumeWorkflowDocument, StartWorkflowDocument, WorkflowDocument } from '@switchyard/client';
import { eventually, startTestStack, type TestStack } from '@switchyard/testkit';

// Model faults at the rates of issue 19: every chat call of every engine may get a 429 with
// Retry-After, a 500, no answer at all, a reply cut short, or tool-call arguments that are not JSON.
// Seeded: SWITCHYARD_FAULT_SEED replays a run (the order calls arrive in still varies with load).
const SEED = Number(process.env.SWITCHYARD_FAULT_SEED ?? 20261207);
const RATES = { '429:200': 0.1, '500': 0.1, timeout: 0.03, truncate: 0.07, 'bad-tool-json': 0.1 };

/** Codes a workflow that gave up on the model may end with; never an unexplained internal error. */
const CLEAR_CODES = ['UNAVAILABLE', 'NODE_FAILED', 'ENGINE_FAILED', 'MODEL_FAILED', 'STAGE_FAILED'];

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({
    env: {
      LLM_SIMULATOR_FAULT_RATES: JSON.stringify(RATES),
      LLM_SIMULATOR_FAULT_SEED: String(SEED),
      // An unanswered call is given up after 3 s (60 s by default), then tried again; up to 5 retries
      // (3 by default), so that runs failing on four faults in a row stay rare enough to count on.
      LLM_TIMEOUT_MS: '3000',
      LLM_MAX_RETRIES: '5',
    },
  });
}, 180_000);
afterAll(async () => {
  await stack?.stop({ keepState: process.env.SWITCHYARD_KEEP_STATE === '1' });
  if (process.env.SWITCHYARD_KEEP_STATE === '1') console.log(`state kept in ${stack?.stateDir}`);
});

const RUNS: Array<{ input: string; framework: 'LANGGRAPH' | 'CREWAI' | 'AUTOGEN' | 'HYBRID'; definition?: Record<string, unknown> }> = [
  { input: 'Process insurance claim #12345', framework: 'LANGGRAPH' },
  { input: 'Reconcile invoice batch 7', framework: 'LANGGRAPH' },
  { input: 'Process insurance claim #20001', framework: 'LANGGRAPH' },
  { input: 'Research competitors and write a market analysis', framework: 'CREWAI' },
  { input: 'Research the tea market in Europe and write a brief', framework: 'CREWAI' },
  { input: 'Write JavaScript code that adds 20 and 22', framework: 'AUTOGEN', definition: { template: 'code-assistant' } },
  { input: 'Research how tea reached Europe', framework: 'AUTOGEN', definition: { template: 'research-chat' } },
  { input: 'Analyze sales data and generate executive report with recommendations', framework: 'HYBRID' },
];

describe(`model faults at 10-30 % (seed ${SEED})`, () => {
  it('retries within policy: every workflow ends clearly, and billing counts exactly the tokens the provider charged', async () => {
    const client = stack.client();
    const simulator = stack.supervisor.replicasOf('llm-simulator')[0]!.url.replace(/\/v1$/, '');
    // The first calls meet one fault of each kind that every call can get, whatever the draws do.
    const always = ['429:200', '500', 'timeout', 'truncate'];
    await fetch(`${simulator}/_simulator/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ faults: always }) });
    const started = await Promise.all(RUNS.map(async (run) => (await client.request(StartWorkflowDocument, { input: run })).startWorkflow.id));
    // Wait for all; one that does not end is shown with its last events.
    type Run = NonNullable<Awaited<ReturnType<typeof fetchRun>>>;
    const fetchRun = async (id: string) => (await client.request(WorkflowDocument, { id })).workflow;
    const deadline = Date.now() + 240_000;
    let ended: Run[] = [];
    const answered = new Set<string>();
    for (;;) {
      const runs = (await Promise.all(started.map(fetchRun))).filter((w): w is Run => w !== null);
      // A person approves what waits for one (the research chat's reviewer, a large claim's adjuster).
      for (const waiting of runs.filter((w) => w.status === 'WAITING_FOR_INPUT' && !answered.has(`${w.id} ${w.events.length}`))) {
        answered.add(`${waiting.id} ${waiting.events.length}`);
        await client.request(ResumeWorkflowDocument, { id: waiting.id, response: { approved: true, message: 'Thanks, that answers it. APPROVE' } });
      }
      const open = runs.filter((w) => !['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(w.status));
      if (open.length === 0) {
        ended = runs;
        break;
      }
      if (Date.now() > deadline) {
        const trail = open.map((w) => `${w.framework} ${w.id} ${w.status}: ${w.events.slice(-4).map((e) => `${e.sequence} ${e.type} ${e.step ?? ''} ${e.message ?? ''}`).join(' | ')}`);
        throw new Error(`${open.length} workflows did not end:\n${trail.join('\n')}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }

    const stats = (await (await fetch(`${simulator}/_simulator/stats`)).json()) as { chatCompletions: number; faultsBySpec: Record<string, number>; charged: { chatCompletions: number; promptTokens: number; completionTokens: number } };
    const summary = ended.map((w, i) => `${RUNS[i]!.framework} ${w.status}${w.errorCode ? ` ${w.errorCode}: ${w.error}` : ''}`);
    console.log(`seed ${SEED}: ${stats.chatCompletions} chat calls, faults ${JSON.stringify(stats.faultsBySpec)}, ${stats.charged.chatCompletions} charged\n${summary.join('\n')}`);

    // The faults really happened (malformed tool calls need a reply with tool calls, so they are
    // counted, not required; the LLM client's own tests cover them).
    for (const spec of always) expect(stats.faultsBySpec[spec] ?? 0, `${spec} injected`).toBeGreaterThan(0);
    expect(Object.values(stats.faultsBySpec).reduce((sum, n) => sum + n, 0)).toBeGreaterThanOrEqual(10);
    // Every workflow ended, with events 1..n and one terminal event; a failure says why, with a stable code.
    for (const [i, workflow] of ended.entries()) {
      expect(workflow.status, summary[i]).not.toBe('CANCELLED');
      expect(workflow.events.map((e) => e.sequence)).toEqual(workflow.events.map((_, n) => n + 1));
      expect(workflow.events.filter((e) => ['WORKFLOW_SUCCEEDED', 'WORKFLOW_FAILED'].includes(e.type))).toHaveLength(1);
      if (workflow.status === 'FAILED') {
        expect(CLEAR_CODES, summary[i]).toContain(workflow.errorCode);
        expect(workflow.error, summary[i]).toMatch(/simulator|model|LLM|stream|JSON|timed out/i);
      }
    }
    // Retrying within policy carries most runs through faults on a third of all calls.
    expect(ended.filter((w) => w.status === 'SUCCEEDED').length, summary.join('\n')).toBeGreaterThanOrEqual(RUNS.length / 2);

    // Cost counts only what was charged: whole replies with usage, the unusable ones (bad tool JSON) included.
    const usage = await eventually(async () => {
      const { tenant } = await client.request(TENANT_USAGE, { id: stack.tenantId });
      const seen = tenant!.usage as { inputTokens: number; outputTokens: number };
      return seen.inputTokens === stats.charged.promptTokens && seen.outputTokens === stats.charged.completionTokens ? seen : undefined;
    }, 30_000, 500).catch(async () => (await client.request(TENANT_USAGE, { id: stack.tenantId })).tenant!.usage);
    expect(usage).toMatchObject({ inputTokens: stats.charged.promptTokens, outputTokens: stats.charged.completionTokens });
  }, 300_000);
});

const TENANT_USAGE = parse('query FaultUsage($id: ID!) { tenant(id: $id) { usage { inputTokens outputTokens modelCalls } } }') as TypedDocumentNode<{ tenant: { usage: { inputTokens: number; outputTokens: number; modelCalls: number } } | null }, { id: string }>;
