import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateApiKeyDocument, CreateTenantDocument, ResumeWorkflowDocument, SetBudgetDocument, StartWorkflowDocument, TenantDocument, WorkflowDocument, type SwitchyardClient } from '@switchyard/client';
import { SqliteStore } from '@switchyard/store';
import { SeededRandom, eventually, startTestStack, type TestStack, retryWhileRestarting } from '@switchyard/testkit';
import { SERVICES, type ServiceName } from '../src/index.ts';

/**
 * The crash matrix: while workflows of every engine run (hybrid ones, and claims that wait for an
 * adjuster's approval, given while the killing goes on), every process of the one-replica platform
 * is killed with SIGKILL in turn, then random pairs, repeatedly; the supervisor restarts each. Then:
 * every workflow ends where it should, events 1..n, at most one repeated model call per crash it
 * lived through, every model call billed exactly once and reconciled against the simulator's own
 * journal of charged calls, and no hard budget passed. Seeded: SWITCHYARD_CHAOS_SEED replays a run.
 */
// `npm test` runs the short version; `npm run chaos:crash` runs 300 (SWITCHYARD_CRASH_WORKFLOWS).
const WORKFLOWS = Number.parseInt(process.env.SWITCHYARD_CRASH_WORKFLOWS ?? '20', 10);
const SEED = Number.parseInt(process.env.SWITCHYARD_CHAOS_SEED ?? '20261207', 10);
const PAIRS_PER_ROUND = Number.parseInt(process.env.SWITCHYARD_CRASH_PAIRS ?? '3', 10);

type Kind = 'langgraph' | 'claim-approval' | 'crewai' | 'autogen' | 'hybrid';
const KINDS: Kind[] = ['langgraph', 'claim-approval', 'crewai', 'autogen', 'hybrid'];

/** The same input for every workflow of a kind, so each kind makes a known number of model calls. */
function startInput(kind: Kind) {
  switch (kind) {
    case 'langgraph':
      return { input: 'Reconcile invoice batch #4471', framework: 'LANGGRAPH' as const };
    case 'claim-approval':
      return { input: 'Process insurance claim #10442 for $40,000 of storm damage', framework: 'LANGGRAPH' as const, definition: { template: 'insurance-claim' } };
    case 'crewai':
      return { input: 'Research competitors of our product line and write a market analysis', framework: 'CREWAI' as const };
    case 'autogen':
      return { input: 'Discuss the trade-offs of write-through caching and conclude', framework: 'AUTOGEN' as const };
    case 'hybrid':
      return { input: 'Analyze sales data of the northern region and generate an executive report', framework: 'HYBRID' as const, hints: { needsResearch: true, needsCode: true } };
  }
}

const TERMINAL = ['SUCCEEDED', 'FAILED', 'CANCELLED'];

/** A request that is retried while processes die: transport failures and 5xx, never a GraphQL refusal. */
const withRetries = <T>(what: string, call: () => Promise<T>) => retryWhileRestarting(what, call, { attempts: 60, delayMs: (attempt) => 200 + Math.min(attempt, 10) * 100 });

interface Started {
  id: string;
  kind: Kind;
  key: string;
  startedAt: number;
  endedAt?: number;
  approved?: boolean;
}

interface Kill {
  at: number;
  services: ServiceName[];
  /** Workflows started and not yet seen ended when it happened. */
  inFlight: number;
}

describe('the crash matrix: every process killed in turn and in pairs while workflows of every engine run', () => {
  let stack: TestStack;
  // The simulator's journal of charged calls: what a provider's invoice would list.
  const journal = join(mkdtempSync(join(tmpdir(), 'switchyard-crash-journal-')), 'charged.jsonl');

  beforeAll(async () => {
    stack = await startTestStack({
      env: {
        LLM_SIMULATOR_LATENCY_MS: '150',
        LLM_SIMULATOR_JOURNAL: journal,
        WORKFLOWS_LEASE_MS: '3000',
        WORKFLOWS_RECOVERY_INTERVAL_MS: '500',
        USAGE_OUTBOX_INTERVAL_MS: '1000',
        RATE_LIMIT_KEY_PER_SECOND: '200',
        RATE_LIMIT_KEY_BURST: '400',
        RATE_LIMIT_TENANT_PER_SECOND: '1000',
        RATE_LIMIT_TENANT_BURST: '2000',
        QUOTA_CONCURRENT_WORKFLOWS: '1000',
        QUOTA_RUNS_PER_MONTH: '100000',
      },
    });
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
    rmSync(dirname(journal), { recursive: true, force: true });
  });

  it(`ends ${WORKFLOWS} workflows where they should, bills every call once, and keeps the budget, through SIGKILLs of every process`, async () => {
    const random = new SeededRandom(SEED);
    const admin = stack.client();
    const keys = [stack.apiKey];
    for (let k = 0; k < 3; k++) keys.push((await admin.request(CreateApiKeyDocument, { input: { name: `load ${k}`, role: 'DEVELOPER' } })).createApiKey.secret);

    const settle = async (client: SwitchyardClient, id: string, approve: boolean, timeoutMs = 240_000) =>
      eventually(async () => {
        const { workflow } = await withRetries('workflow', () => client.request(WorkflowDocument, { id }));
        if (!workflow) return undefined;
        if (workflow.status === 'WAITING_FOR_INPUT' && approve) {
          await withRetries('resumeWorkflow', () => client.request(ResumeWorkflowDocument, { id, response: { approved: true } })).catch(() => undefined);
          return undefined;
        }
        return TERMINAL.includes(workflow.status) ? workflow : undefined;
      }, timeoutMs, 300);

    // What each kind calls the model for with nothing killed: the baseline for "repeated calls".
    const baseline = new Map<Kind, number>();
    for (const kind of KINDS) {
      const { startWorkflow } = await admin.request(StartWorkflowDocument, { input: startInput(kind) });
      const workflow = await settle(admin, startWorkflow.id, true, 120_000);
      expect(workflow.status, `${kind} baseline: ${workflow.error ?? ''}`).toBe('SUCCEEDED');
      baseline.set(kind, workflow.events.filter((e) => e.type === 'MODEL_CALL').length);
    }
    // A tenant with a hard budget of three LANGGRAPH runs starts eight of them as the crashes begin.
    const { createTenant: probe } = await stack.client(stack.adminKey).request(CreateTenantDocument, { input: { name: 'Probe Corp' } });
    const probeClient = stack.client(probe.secret);
    const one = await settle(probeClient, (await probeClient.request(StartWorkflowDocument, { input: startInput('langgraph') })).startWorkflow.id, false);
    const limit = Number((3 * one.cost!.totalUsd).toFixed(8));
    const { createTenant: budgeted } = await stack.client(stack.adminKey).request(CreateTenantDocument, { input: { name: 'Budgeted Corp' } });
    const budgetClient = stack.client(budgeted.secret);
    await budgetClient.request(SetBudgetDocument, { input: { monthlyLimitUsd: limit, hardLimit: true } });

    // The matrix: each process alone, in a seeded order, then random pairs; round after round until the workload is done.
    const names = SERVICES.map((s) => s.name) as ServiceName[];
    const kills: Kill[] = [];
    const started: Started[] = [];
    let done = false;
    let rounds = 0;
    const matrix = (async () => {
      for (;;) {
        const order = [...names].sort(() => random.next() - 0.5);
        const steps: ServiceName[][] = [...order.map((n) => [n]), ...Array.from({ length: PAIRS_PER_ROUND }, () => {
          const a = random.pick(names);
          return [a, random.pick(names.filter((n) => n !== a))];
        })];
        for (const victims of steps) {
          await new Promise((resolve) => setTimeout(resolve, 600 + random.int(0, 1200)));
          const ready = victims.map((name) => stack.supervisor.waitReady(name));
          kills.push({ at: Date.now(), services: victims, inFlight: started.filter((w) => w.endedAt === undefined).length });
          for (const name of victims) stack.supervisor.kill(name, 'SIGKILL');
          await Promise.all(ready);
        }
        rounds += 1;
        if (done) break;
      }
    })();

    const budgetRuns: string[] = [];
    let progress: NodeJS.Timeout | undefined;
    try {
      for (let i = 0; i < 8; i++) {
        const { startWorkflow } = await withRetries('budgeted start', () =>
          budgetClient.request(StartWorkflowDocument, { input: { ...startInput('langgraph'), idempotencyKey: `budget-${SEED}-${i}` } }),
        );
        budgetRuns.push(startWorkflow.id);
      }
      // Start the workload in waves spread over the matrix's first round (over a minute), each start with an idempotency key.
      const wave = 5;
      const waves = Math.ceil(WORKFLOWS / wave);
      const pause = Math.max(500, Math.floor(75_000 / waves));
      for (let from = 0; from < WORKFLOWS; from += wave) {
        await Promise.all(
          Array.from({ length: Math.min(wave, WORKFLOWS - from) }, async (_, j) => {
            const i = from + j;
            const kind = KINDS[i % KINDS.length]!;
            const key = keys[i % keys.length]!;
            const { startWorkflow } = await withRetries(`startWorkflow #${i}`, () =>
              stack.client(key).request(StartWorkflowDocument, { input: { ...startInput(kind), idempotencyKey: `crash-${SEED}-${i}` } }),
            );
            started.push({ id: startWorkflow.id, kind, key, startedAt: Date.now() });
          }),
        );
        await new Promise((resolve) => setTimeout(resolve, pause));
      }
      expect(new Set(started.map((w) => w.id)).size).toBe(WORKFLOWS);

      // Each ends (claims after their approval, given whenever one is seen waiting).
      progress = setInterval(() => {
        const open = started.filter((w) => w.endedAt === undefined).length;
        console.log(`crash matrix: ${open} of ${started.length} not ended yet, ${kills.length} kills so far`);
      }, 30_000);
      await Promise.all(
        started.map(async (w) => {
          await settle(stack.client(w.key), w.id, w.kind === 'claim-approval', 900_000);
          w.endedAt = Date.now();
        }),
      );
      await Promise.all(budgetRuns.map((id) => settle(budgetClient, id, false, 600_000)));
    } finally {
      clearInterval(progress);
      done = true;
      await matrix;
    }
    for (const name of names) await eventually(async () => (stack.supervisor.replicasOf(name).every((r) => r.child) ? true : undefined), 60_000, 200);

    // Where each ended, its events, and its calls against the baseline and the crashes it lived through.
    const failures: string[] = [];
    const eventCallIds = new Map<string, string>();
    let repeatedCalls = 0;
    for (const w of started) {
      const { workflow } = await withRetries('workflow', () => stack.client(w.key).request(WorkflowDocument, { id: w.id }));
      const trail = workflow!.events.map((e) => `${e.sequence}:${e.type}${e.step ? `(${e.step})` : ''}`).join(' ');
      if (workflow!.status !== 'SUCCEEDED') failures.push(`${w.kind} ${w.id}: ${workflow!.status} ${workflow!.errorCode ?? ''} ${workflow!.error ?? ''} events ${trail}`);
      const sequences = workflow!.events.map((e) => e.sequence);
      if (sequences.join() !== sequences.map((_, i) => i + 1).join()) failures.push(`${w.kind} ${w.id}: events ${sequences.join(',')}`);
      const terminal = workflow!.events.filter((e) => ['WORKFLOW_SUCCEEDED', 'WORKFLOW_FAILED', 'WORKFLOW_CANCELLED'].includes(e.type));
      if (terminal.length !== 1) failures.push(`${w.kind} ${w.id}: ${terminal.length} terminal events`);
      const calls = workflow!.events.filter((e) => e.type === 'MODEL_CALL');
      for (const call of calls) {
        const callId = String((call.data as { callId?: string }).callId);
        if (eventCallIds.has(callId)) failures.push(`${w.kind} ${w.id}: call ${callId} appears twice (also in ${eventCallIds.get(callId)})`);
        eventCallIds.set(callId, w.id);
      }
      const crashes = kills.filter((k) => k.at >= w.startedAt - 1000 && k.at <= (w.endedAt ?? Date.now())).length;
      const extra = calls.length - baseline.get(w.kind)!;
      repeatedCalls += Math.max(0, extra);
      if (extra > crashes) failures.push(`${w.kind} ${w.id}: ${calls.length} model calls, ${baseline.get(w.kind)} without crashes, ${crashes} crashes during its run: ${trail}`);
    }

    // Billing has every call exactly once: per workflow (its cost), and call by call against the simulator's journal.
    await eventually(
      async () => {
        for (const w of started) {
          const { workflow } = await withRetries('workflow', () => stack.client(w.key).request(WorkflowDocument, { id: w.id }));
          const events = workflow!.events.filter((e) => e.type === 'MODEL_CALL').length;
          if (workflow!.cost!.modelCalls < events) return undefined;
        }
        return true;
      },
      60_000,
      1000,
    ).catch(() => failures.push('some MODEL_CALL events have no usage record in billing 60 s after the end'));
    const billingStore = new SqliteStore({ filename: join(stack.stateDir, 'data', 'billing.db') });
    const records = new Map<string, string>();
    try {
      const usage = billingStore.collection<{ id: string; tenantId: string; workflowId: string | null }>('usage_records');
      let after: string | undefined;
      for (;;) {
        const page = await usage.queryAllTenants({ first: 1000, ...(after ? { after } : {}) });
        for (const { doc } of page.items) records.set(doc.id, doc.workflowId ?? '');
        if (!page.hasNextPage || !page.endCursor) break;
        after = page.endCursor;
      }
    } finally {
      await billingStore.close();
    }
    for (const [callId, workflowId] of eventCallIds) if (!records.has(callId)) failures.push(`call ${callId} of ${workflowId} is not in billing`);
    const charged = existsSync(journal) ? readFileSync(journal, 'utf8').trim().split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { id: string }).id) : [];
    expect(new Set(charged).size).toBe(charged.length);
    const chargedSet = new Set(charged);
    const billedChat = [...records.keys()].filter((id) => id.startsWith('chatcmpl-'));
    for (const id of billedChat) if (!chargedSet.has(id)) failures.push(`billing has call ${id}, which the provider never charged`);
    const lost = charged.filter((id) => !records.has(id));

    // The hard budget held, and its refusals say why.
    const { tenant } = await budgetClient.request(TenantDocument, { id: budgeted.tenant.id });
    const budgetOutcomes = await Promise.all(budgetRuns.map(async (id) => (await budgetClient.request(WorkflowDocument, { id })).workflow!));
    for (const w of budgetOutcomes) if (w.status !== 'SUCCEEDED' && w.errorCode !== 'BUDGET_EXCEEDED') failures.push(`budgeted ${w.id}: ${w.status} ${w.errorCode ?? ''} ${w.error ?? ''}`);

    const summary =
      `crash matrix (seed ${SEED}): ${WORKFLOWS} workflows, ${kills.length} kills in ${rounds} rounds (${kills.map((k) => `${k.services.join('+')}[${k.inFlight}]`).join(' ')}; [n]: workflows in flight), ` +
      `${repeatedCalls} repeated model calls, ${records.size} usage records, ${charged.length} charged by the simulator, ${lost.length} charged but lost before reaching the platform, ` +
      `budget $${tenant!.budget!.spentUsd} of $${limit} (${budgetOutcomes.filter((w) => w.status === 'SUCCEEDED').length} of ${budgetRuns.length} succeeded)`;
    console.log(summary);
    expect(failures, summary).toEqual([]);
    expect(tenant!.budget!.spentUsd).toBeLessThanOrEqual(limit);
    // Every process was killed at least once, alone.
    for (const name of names) expect(kills.some((k) => k.services.length === 1 && k.services[0] === name), name).toBe(true);
  }, 1_800_000);
});
