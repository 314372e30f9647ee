import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateApiKeyDocument, CreateTenantDocument, SetBudgetDocument, StartWorkflowDocument, TenantDocument, WorkflowDocument } from '@switchyard/client';
import { SeededRandom, eventually, startDistributedTestStack, type DistributedTestStack, retryWhileRestarting } from '@switchyard/testkit';
import { findBinary, nginxAvailable, redisServerAvailable, type ServiceName } from '../src/index.ts';

/**
 * The distributed mode under crashes: two processes of every service from the production build,
 * state in the Cosmos DB-compatible server, Redis, nginx in front of the gateways, while replicas are
 * killed with SIGKILL at random (seeded: SWITCHYARD_CHAOS_SEED replays a run).
 */
// 50 in `npm test`; SWITCHYARD_DISTRIBUTED_WORKFLOWS=200 for the full run (docs/reliability.md has both).
const WORKFLOWS = Number.parseInt(process.env.SWITCHYARD_DISTRIBUTED_WORKFLOWS ?? '50', 10);
const SEED = Number.parseInt(process.env.SWITCHYARD_CHAOS_SEED ?? '20261206', 10);
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const missing = [!redisServerAvailable() && 'redis-server', !nginxAvailable() && 'nginx', !findBinary('openssl') && 'openssl'].filter(Boolean);
if (missing.length > 0 && process.env.SWITCHYARD_REQUIRE_DISTRIBUTED === '1') {
  throw new Error(`The distributed-mode test needs ${missing.join(', ')}: sudo apt-get install redis-server nginx-light openssl`);
}
if (missing.length > 0) console.warn(`Skipping the distributed-mode test: it needs ${missing.join(', ')}.`);

type Kind = 'langgraph' | 'claim-approval' | 'crewai' | 'autogen' | 'hybrid';
const KINDS: Kind[] = ['langgraph', 'claim-approval', 'crewai', 'autogen', 'hybrid'];

function startInput(kind: Kind, i: number) {
  switch (kind) {
    case 'langgraph':
      return { input: `Reconcile invoice batch #${i}`, framework: 'LANGGRAPH' as const };
    case 'claim-approval':
      return { input: `Process insurance claim #${10_000 + i} for $40,000 of storm damage`, framework: 'LANGGRAPH' as const, definition: { template: 'insurance-claim' } };
    case 'crewai':
      return { input: `Research competitors of product line ${i} and write a market analysis`, framework: 'CREWAI' as const };
    case 'autogen':
      return { input: `Discuss the trade-offs of caching strategy ${i} and conclude`, framework: 'AUTOGEN' as const };
    case 'hybrid':
      return { input: `Analyze sales data of region ${i} and generate an executive report`, framework: 'HYBRID' as const, hints: { needsResearch: true, needsCode: true } };
  }
}

const expectedStatus = (kind: Kind) => (kind === 'claim-approval' ? 'WAITING_FOR_INPUT' : 'SUCCEEDED');

/** A request that is retried while processes die: transport failures and 5xx, never a GraphQL refusal. */
const withRetries = <T>(what: string, call: () => Promise<T>) => retryWhileRestarting(what, call, { attempts: 40, delayMs: (attempt) => 250 + attempt * 100 });

interface Subscriber {
  workflowId: string;
  via: string;
  sequences: number[];
  reconnects: number;
  done: Promise<void>;
  close(): void;
}

/**
 * A subscriber as a client would write one: on a lost connection (its gateway replica killed) it
 * subscribes again after the last sequence it saw, so it must see every event once.
 */
function subscribe(url: string, apiKey: string, workflowId: string): Subscriber {
  let client: Client | null = null;
  let closed = false;
  const subscriber: Subscriber = { workflowId, via: url, sequences: [], reconnects: 0, done: Promise.resolve(), close: () => undefined };
  subscriber.done = (async () => {
    while (!closed) {
      client = createClient({ url: url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${apiKey}` }, retryAttempts: 0, lazy: true });
      try {
        const after = subscriber.sequences.at(-1) ?? 0;
        const iterator = client.iterate<{ workflowEvents: { sequence: number; type: string } }>({
          query: 'subscription ($id: ID!, $after: Int) { workflowEvents(workflowId: $id, afterSequence: $after) { sequence type } }',
          variables: { id: workflowId, after },
        });
        for await (const result of iterator) {
          if (result.errors?.length) throw new Error(result.errors.map((e) => e.message).join('; '));
          subscriber.sequences.push(result.data!.workflowEvents.sequence);
        }
        return; // completed after the terminal event
      } catch {
        if (closed) return;
        subscriber.reconnects += 1;
        await new Promise((resolve) => setTimeout(resolve, 300));
      } finally {
        await client?.dispose();
      }
    }
  })();
  subscriber.close = () => {
    closed = true;
    void client?.dispose();
  };
  return subscriber;
}

describe.skipIf(missing.length > 0)('the distributed mode: replicas of every service, Cosmos, Redis and nginx, under SIGKILL', () => {
  let stack: DistributedTestStack;
  const kills: string[] = [];

  beforeAll(async () => {
    // The replicas run the production build, as an image would: build it from these sources first.
    const build = spawnSync(process.execPath, ['--import', 'tsx', 'tools/build/build-services.ts'], { cwd: ROOT, encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`npm run build failed: ${build.stderr}`);
    stack = await startDistributedTestStack({
      env: {
        LLM_SIMULATOR_LATENCY_MS: '20',
        WORKFLOWS_LEASE_MS: '3000',
        WORKFLOWS_RECOVERY_INTERVAL_MS: '500',
        RATE_LIMIT_KEY_PER_SECOND: '40',
        RATE_LIMIT_KEY_BURST: '80',
        RATE_LIMIT_TENANT_PER_SECOND: '400',
        RATE_LIMIT_TENANT_BURST: '800',
        QUOTA_CONCURRENT_WORKFLOWS: '1000',
      },
    });
  }, 300_000);

  afterAll(async () => {
    // What went wrong inside the processes, for a failing run: their error-level log lines.
    if (stack) {
      const logs = join(stack.stateDir, 'logs');
      for (const file of readdirSync(logs)) {
        const errors = readFileSync(join(logs, file), 'utf8').split('\n').filter((line) => line.includes('"level":50') || line.includes('"level":60'));
        if (errors.length > 0) console.warn(`${file}: ${errors.length} error lines, first: ${errors[0]!.slice(0, 1500)}`);
      }
    }
    await stack?.stop();
  });

  it(`runs ${WORKFLOWS} workflows of every engine to their expected end while replicas are killed, events 1..n on subscribers of either gateway`, async () => {
    const seeded = new SeededRandom(SEED);
    const random = () => seeded.next();
    const admin = stack.client();
    // Several keys, so the per-key rate limit does not throttle the workload itself.
    const keys = [stack.apiKey];
    for (let k = 0; k < 4; k++) {
      const { createApiKey } = await admin.request(CreateApiKeyDocument, { input: { name: `load ${k}`, role: 'DEVELOPER' } });
      keys.push(createApiKey.secret);
    }
    const gateways = stack.supervisor.replicasOf('gateway').map((g) => g.url);
    expect(gateways).toHaveLength(2);

    const replicated = [...new Set([...stack.supervisor.services.values()].map((s) => s.service))].filter((s) => s !== 'llm-simulator') as ServiceName[];
    let chaos = true;
    const chaosLoop = (async () => {
      while (chaos) {
        await new Promise((resolve) => setTimeout(resolve, 2500 + random() * 2500));
        if (!chaos) break;
        const service = replicated[Math.floor(random() * replicated.length)]!;
        const replicas = stack.supervisor.replicasOf(service).filter((r) => r.child);
        if (replicas.length === 0) continue;
        const victim = replicas[Math.floor(random() * replicas.length)]!;
        kills.push(victim.name);
        stack.supervisor.kill(victim.name, 'SIGKILL');
      }
    })();

    const started: Array<{ id: string; kind: Kind; key: string }> = [];
    const subscribers: Subscriber[] = [];
    try {
      // Start in waves through nginx; each start carries an idempotency key, so a retry after a
      // lost answer cannot start the workflow twice.
      const wave = 20;
      for (let from = 0; from < WORKFLOWS; from += wave) {
        await Promise.all(
          Array.from({ length: Math.min(wave, WORKFLOWS - from) }, async (_, j) => {
            const i = from + j;
            const kind = KINDS[i % KINDS.length]!;
            const key = keys[i % keys.length]!;
            const client = stack.client(key);
            const { startWorkflow } = await withRetries(`startWorkflow #${i}`, () =>
              client.request(StartWorkflowDocument, { input: { ...startInput(kind, i), idempotencyKey: `distributed-${SEED}-${i}` } }),
            );
            started.push({ id: startWorkflow.id, kind, key });
            // Every fifth workflow is also watched live, alternately through each gateway replica.
            if (i % 5 === 0) subscribers.push(subscribe(gateways[(i / 5) % 2]!, key, startWorkflow.id));
          }),
        );
      }
      expect(new Set(started.map((w) => w.id)).size).toBe(WORKFLOWS);

      // Wait until each is where it should end, reading through nginx while the killing goes on.
      let lastReport = Date.now();
      await eventually(
        async () => {
          const pending = await Promise.all(
            started.map(async (w) => {
              const { workflow } = await withRetries('workflow', () => stack.client(w.key).request(WorkflowDocument, { id: w.id }));
              // Ended: where it should be, or anywhere it cannot leave (checked and reported below).
              return workflow && (workflow.status === expectedStatus(w.kind) || ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(workflow.status)) ? null : `${w.kind}:${workflow?.status}`;
            }),
          );
          const open = pending.filter((p) => p !== null);
          if (Date.now() - lastReport > 30_000) {
            lastReport = Date.now();
            console.log(`distributed: ${open.length} of ${started.length} not finished yet (${[...new Set(open)].map((k) => `${k} x${open.filter((o) => o === k).length}`).join(', ')}), ${kills.length} kills so far`);
          }
          return open.length === 0 ? true : undefined;
        },
        900_000,
        2000,
      );
    } finally {
      chaos = false;
      await chaosLoop;
    }
    expect(kills.length).toBeGreaterThan(3);

    // Every replica is back, and every workflow ended as its definition says, events 1..n.
    for (const service of replicated) await eventually(async () => (stack.supervisor.replicasOf(service).every((r) => r.child) ? true : undefined), 60_000, 200);
    const failures: string[] = [];
    for (const w of started) {
      const { workflow } = await withRetries('workflow', () => stack.client(w.key).request(WorkflowDocument, { id: w.id }));
      if (workflow!.status !== expectedStatus(w.kind)) {
        // What it went through, to tell which crash sent it the wrong way.
        const trail = workflow!.events.map((e) => `${e.sequence}:${e.type}${e.step ? `(${e.step})` : ''}`).join(' ');
        failures.push(`${w.kind} ${w.id}: ${workflow!.status} ${workflow!.error ?? ''} events ${trail}`);
      }
      const sequences = workflow!.events.map((e) => e.sequence);
      if (sequences.join() !== sequences.map((_, i) => i + 1).join()) failures.push(`${w.kind} ${w.id}: events ${sequences.join(',')}`);
      const terminal = workflow!.events.filter((e) => e.type === 'WORKFLOW_SUCCEEDED' || e.type === 'WORKFLOW_FAILED');
      if (terminal.length > (w.kind === 'claim-approval' ? 0 : 1)) failures.push(`${w.kind} ${w.id}: ${terminal.length} terminal events`);
    }
    expect(failures, `seed ${SEED}, kills ${kills.join(' ')}`).toEqual([]);

    // Subscribers saw every event exactly once, in order, whichever gateway replica they used.
    await Promise.race([Promise.all(subscribers.filter((s) => expectedStatus(started.find((w) => w.id === s.workflowId)!.kind) === 'SUCCEEDED').map((s) => s.done)), new Promise((r) => setTimeout(r, 30_000))]);
    for (const subscriber of subscribers) subscriber.close();
    const byId = new Map(started.map((w) => [w.id, w]));
    for (const subscriber of subscribers) {
      const w = byId.get(subscriber.workflowId)!;
      const { workflow } = await stack.client(w.key).request(WorkflowDocument, { id: w.id });
      expect(subscriber.sequences, `${w.kind} ${w.id} via ${subscriber.via} after ${subscriber.reconnects} reconnects`).toEqual(workflow!.events.map((e) => e.sequence));
    }
    expect(subscribers.length).toBe(Math.ceil(WORKFLOWS / 5));
    console.log(`distributed: ${WORKFLOWS} workflows, ${kills.length} kills (${kills.join(' ')}), ${subscribers.reduce((n, s) => n + s.reconnects, 0)} subscriber reconnects, seed ${SEED}`);
  }, 1_200_000);

  it('holds a hard budget across replicas: 20 concurrent runs use the last of a budget of 6 runs, never pass it, refusals say BUDGET_EXCEEDED', async () => {
    const admin = stack.client(stack.adminKey);
    const run = async (client: ReturnType<DistributedTestStack['client']>, i: number) => {
      const { startWorkflow } = await withRetries('startWorkflow', () => client.request(StartWorkflowDocument, { input: { input: `Summarise ledger ${i}`, framework: 'LANGGRAPH', idempotencyKey: `budget-${i}` } }));
      return eventually(async () => {
        const { workflow } = await withRetries('workflow', () => client.request(WorkflowDocument, { id: startWorkflow.id }));
        return workflow && ['SUCCEEDED', 'FAILED'].includes(workflow.status) ? workflow : undefined;
      }, 180_000, 500);
    };
    // What one run costs, on a tenant without a budget.
    const { createTenant: probe } = await admin.request(CreateTenantDocument, { input: { name: 'Probe Corp' } });
    const one = await run(stack.client(probe.secret), 0);
    expect(one.status).toBe('SUCCEEDED');
    const runCost = one.cost!.totalUsd;

    const { createTenant } = await admin.request(CreateTenantDocument, { input: { name: 'Budgeted Corp' } });
    const client = stack.client(createTenant.secret);
    const limit = Number((6 * runCost).toFixed(8));
    await client.request(SetBudgetDocument, { input: { monthlyLimitUsd: limit, hardLimit: true } });
    const workflows = await Promise.all(Array.from({ length: 20 }, (_, i) => run(client, i + 1)));
    for (const workflow of workflows) if (workflow.status === 'FAILED') expect(workflow.errorCode, workflow.error ?? '').toBe('BUDGET_EXCEEDED');
    const { tenant } = await client.request(TenantDocument, { id: createTenant.tenant.id });
    const spent = tenant!.budget!.spentUsd;
    console.log(`budget: ${workflows.filter((w) => w.status === 'SUCCEEDED').length} of 20 succeeded, spent $${spent} of $${limit} (${((100 * spent) / limit).toFixed(1)} %)`);
    expect(spent).toBeLessThanOrEqual(limit);
    expect(spent).toBeGreaterThan(0.75 * limit);
    expect(workflows.filter((w) => w.status === 'SUCCEEDED').length).toBeGreaterThanOrEqual(4);
  }, 300_000);

  it('serves the web console from the production build through the load balancer, its assets included', async () => {
    const page = await fetch(new URL('/workflows', stack.gatewayUrl));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    expect(html).toContain('<title>Switchyard console</title>');
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script, html).toBeDefined();
    const asset = await fetch(new URL(script!, stack.gatewayUrl));
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toContain('javascript');
  });

  it('limits an API key across both gateway replicas together, not each alone', async () => {
    const { createTenant } = await stack.client(stack.adminKey).request(CreateTenantDocument, { input: { name: 'Chatty Corp' } });
    const gateways = stack.supervisor.replicasOf('gateway').map((g) => g.url);
    const startedAt = Date.now();
    const statuses = await Promise.all(
      Array.from({ length: 240 }, (_, i) =>
        fetch(gateways[i % 2]!, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${createTenant.secret}` },
          body: JSON.stringify({ query: '{ viewer { role } }' }),
        }).then((response) => response.status),
      ),
    );
    const seconds = (Date.now() - startedAt) / 1000;
    const allowed = statuses.filter((s) => s === 200).length;
    // Burst 80 plus 40/s refill, shared: two replicas limiting alone would allow about twice that.
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(allowed).toBeLessThanOrEqual(80 + Math.ceil(40 * seconds) + 2);
    expect(allowed).toBeGreaterThanOrEqual(70);
  });
});

