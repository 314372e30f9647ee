import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StartWorkflowDocument } from '@switchyard/client';
import { eventually, startTestStack, type TestStack } from '@switchyard/testkit';
import { checkHttpAnswer, checkWsOutcome, runHostileInput, runWsCase, type HostileInputReport } from '@switchyard/testkit/hostile-input';

// `npm test` sends a short run; `npm run chaos:input` the full 10,000 (SWITCHYARD_HOSTILE_OPERATIONS).
const OPERATIONS = Number(process.env.SWITCHYARD_HOSTILE_OPERATIONS ?? 1500);
const CONVERSATIONS = Number(process.env.SWITCHYARD_HOSTILE_CONVERSATIONS ?? Math.max(150, Math.round(OPERATIONS / 8)));
const SEED = Number(process.env.SWITCHYARD_CHAOS_SEED ?? 20261206);
const SCHEMA = readFileSync(fileURLToPath(new URL('../../../libs/client/schema.graphql', import.meta.url)), 'utf8');

type Stack = TestStack & { contextSecret: string };

async function graphql<T>(stack: Stack, key: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const response = await fetch(stack.gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: { message: string }[] };
  if (body.errors?.length) throw new Error(`${query.slice(0, 60)}: ${body.errors.map((e) => e.message).join('; ')}`);
  return body.data!;
}

/** A tenant with a TENANT_ADMIN and a VIEWER key, a workflow, a document and a graph definition holding `marker`. */
async function seededTenant(stack: Stack, name: string, marker: string) {
  const { createTenant } = await graphql<{ createTenant: { tenant: { id: string }; secret: string } }>(
    stack,
    stack.adminKey,
    'mutation($input: CreateTenantInput!) { createTenant(input: $input) { tenant { id } secret } }',
    { input: { name } },
  );
  const key = createTenant.secret;
  const tenantId = createTenant.tenant.id;
  // Limits high enough that the suite reaches the subgraphs instead of the rate limiter.
  await graphql(stack, stack.adminKey, 'mutation($id: ID!) { setTenantLimits(tenantId: $id, input: { requestsPerSecond: 10000, burst: 10000 }) { id } }', { id: tenantId }).catch(() => undefined);
  const { createApiKey } = await graphql<{ createApiKey: { secret: string; apiKey: { id: string } } }>(stack, key, 'mutation { createApiKey(input: { name: "viewer", role: VIEWER }) { secret apiKey { id } } }');
  const { startWorkflow } = await graphql<{ startWorkflow: { id: string } }>(stack, key, 'mutation($input: StartWorkflowInput!) { startWorkflow(input: $input) { id } }', {
    input: { input: `Summarise the note ${marker}`, framework: 'LANGGRAPH' },
  });
  const { ingestDocument } = await graphql<{ ingestDocument: { id: string } }>(stack, key, 'mutation($input: IngestDocumentInput!) { ingestDocument(input: $input) { id } }', {
    input: { title: `Policy ${marker}`, content: `The secret clause ${marker} applies to every claim.` },
  });
  const { createGraphDefinition } = await graphql<{ createGraphDefinition: { id: string } }>(stack, key, 'mutation($input: CreateGraphDefinitionInput!) { createGraphDefinition(input: $input) { id } }', {
    input: { name: `graph-${marker}`, definition: { entry: 'answer', nodes: { answer: { kind: 'model', prompt: `Answer: {{input}}`, next: 'END' } } } },
  });
  return { tenantId, key, viewerKey: createApiKey.secret, viewerKeyId: createApiKey.apiKey.id, workflowId: startWorkflow.id, documentId: ingestDocument.id, graphId: createGraphDefinition.id };
}

function summary(report: HostileInputReport): string {
  return JSON.stringify({ ...report, failures: report.failures.slice(0, 40), failureCount: report.failures.length, startedWorkflows: report.startedWorkflows.length }, null, 2);
}

describe('hostile input through the gateway', () => {
  let stack: Stack;
  let pids: Map<string, number | undefined>;
  beforeAll(async () => {
    stack = await startTestStack({
      env: {
        RATE_LIMIT_TENANT_PER_SECOND: '10000',
        RATE_LIMIT_TENANT_BURST: '10000',
        RATE_LIMIT_KEY_PER_SECOND: '10000',
        RATE_LIMIT_KEY_BURST: '10000',
      },
    });
    pids = new Map([...stack.supervisor.services.values()].map((s) => [s.name, s.child?.pid]));
  });
  afterAll(async () => {
    await stack?.stop();
  });

  // Each of these once answered HTTP 500, an HTML page, INTERNAL_SERVER_ERROR, an error without a code, or closed the socket.
  it('refuses the requests that once failed with a code and a 4xx', async () => {
    const foreign = { marker: 'none', ids: [] };
    const post = async (body: string | Uint8Array, headers: Record<string, string> = {}) => {
      const response = await fetch(stack.gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.apiKey}`, ...headers }, body });
      const text = await response.text();
      return { status: response.status, codes: checkHttpAnswer(response.status, text, '', foreign) };
    };
    const cases: Array<[string | Uint8Array, Record<string, string>, number, string]> = [
      [JSON.stringify({ query: '#only a comment' }), {}, 400, 'GRAPHQL_PARSE_FAILED'],
      [JSON.stringify({ query: '{ tenant(id: "\\ud800") { id } }' }), {}, 400, 'GRAPHQL_PARSE_FAILED'],
      [JSON.stringify({ query: `{ viewer { ${'role '.repeat(3001)}} }` }), {}, 400, 'GRAPHQL_PARSE_FAILED'],
      [JSON.stringify({ query: 'subscription { workflowStatusChanges { id } }' }), {}, 400, 'BAD_USER_INPUT'],
      [JSON.stringify({ query: 'query A { viewer { role } } query B { viewer { role } }' }), {}, 400, 'INVALID_GRAPHQL'],
      [JSON.stringify({ extensions: { persistedQuery: { version: 2, sha256Hash: '' } } }), {}, 400, 'BAD_REQUEST'],
      [new Uint8Array([0x1f, 0x8b, 8, 0, 1, 2, 3]), { 'content-encoding': 'gzip' }, 400, 'BAD_USER_INPUT'],
      [new Uint8Array([1, 2, 3]), { 'content-encoding': 'compress' }, 415, 'BAD_USER_INPUT'],
      [JSON.stringify({ query: '{ viewer { role } }' }), { 'content-type': 'application/json; charset=latin1' }, 415, 'BAD_USER_INPUT'],
    ];
    for (const [body, headers, status, code] of cases) {
      const answer = await post(body, headers);
      expect({ status: answer.status, problems: answer.codes.problems, codes: answer.codes.codes }, String(body).slice(0, 80)).toEqual({ status, problems: [], codes: [code] });
    }

    // A limit of graphql-armor is a validation failure that says what to do, not a "Syntax Error".
    const aliased = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.apiKey}` },
      body: JSON.stringify({ query: `{ ${Array.from({ length: 60 }, (_, i) => `a${i}: viewer { role }`).join(' ')} }` }),
    });
    expect(aliased.status).toBe(400);
    expect(((await aliased.json()) as { errors: unknown[] }).errors[0]).toMatchObject({ extensions: { code: 'GRAPHQL_VALIDATION_FAILED' }, message: expect.stringMatching(/^Aliases limit of \d+ exceeded, found 60: simplify the operation/) });

    const ws = stack.gatewayUrl.replace(/^http/, 'ws');
    const init = JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${stack.apiKey}` } });
    const over = async (frames: string[], done?: Parameters<typeof runWsCase>[3]) => {
      const testCase = { kind: 'regression', protocol: 'graphql-transport-ws', frames };
      // With `done`, wait for the answers it names (a subgraph's answer may take a while on a busy machine).
      const outcome = await runWsCase(ws, testCase, done ? 10_000 : 400, done);
      return { outcome, checked: checkWsOutcome(testCase, outcome, foreign) };
    };
    const subscribe = (payload: unknown) => JSON.stringify({ id: '1', type: 'subscribe', payload });
    // A syntax error, a validation error, bad variables and a query's resolver error: one error message each, and the connection stays open (pong).
    for (const payload of [
      { query: 'subscription {' },
      { query: 'subscription { workflowEvents { sequence } }' },
      { query: 'subscription ($id: ID!) { workflowEvents(workflowId: $id) { sequence } }', variables: { id: null } },
      { query: 'mutation { deleteDocument(id: "no-such-document") }' },
    ]) {
      const answered: Parameters<typeof runWsCase>[3] = (o) => o.messages.some((m) => m.type === 'pong') && o.messages.some((m) => m.id === '1' && (m.type === 'error' || m.type === 'complete'));
      const { outcome, checked } = await over([init, subscribe(payload), JSON.stringify({ type: 'ping' })], answered);
      expect(checked.problems, JSON.stringify(payload)).toEqual([]);
      expect(checked.codes.length, JSON.stringify(payload)).toBeGreaterThan(0);
      expect(outcome.messages.map((m) => m.type)).toContain('pong');
    }
    const huge = await over([init, subscribe({ query: `{ viewer { role } } #${'x'.repeat(1_100_000)}` })]);
    expect(huge.outcome.closeCode).toBe(1009);

    // An event whose entity fields fail in other subgraphs (billing refuses the window) comes with
    // those errors and their codes, and the subscription goes on.
    const { createClient } = await import('graphql-ws');
    const { default: WebSocket } = await import('ws');
    const client = createClient({ url: ws, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${stack.apiKey}` }, retryAttempts: 0 });
    try {
      const events = client.iterate({ query: 'subscription { workflowStatusChanges { id status cost { totalUsd estimatedModelCalls } tenant { id budget { monthlyLimitUsd webhookSecret } invoices { month } usageSeries(from: "2020-01-01T00:00:00Z", to: "2026-02-27T00:00:00Z") { start } } } }' });
      const first = events.next();
      await new Promise((resolve) => setTimeout(resolve, 500));
      await stack.client().request(StartWorkflowDocument, { input: { input: 'Summarise the policy', framework: 'LANGGRAPH' } });
      const { value } = await first;
      expect(value.errors?.[0]).toMatchObject({ path: ['workflowStatusChanges', 'tenant', 'usageSeries'], extensions: { code: 'BAD_USER_INPUT' }, message: expect.stringContaining('ask for at most 1440') });
      await events.return?.();
    } finally {
      await client.dispose();
    }
  });

  it(`answers ${OPERATIONS} hostile operations and ${CONVERSATIONS} graphql-ws conversations with refusals, never a crash, a 5xx or another tenant's data`, async () => {
    const markerA = `own-${randomBytes(6).toString('hex')}`;
    const markerB = `foreign-${randomBytes(6).toString('hex')}`;
    const [a, b] = await Promise.all([seededTenant(stack, 'Hostile Input A', markerA), seededTenant(stack, 'Hostile Input B', markerB)]);
    const report = await runHostileInput(
      {
        gatewayUrl: stack.gatewayUrl,
        schemaSdl: SCHEMA,
        apiKey: a.key,
        viewerKey: a.viewerKey,
        ownIds: [a.workflowId, a.documentId, a.graphId],
        otherTenant: { marker: markerB, ids: [b.tenantId, b.workflowId, b.documentId, b.graphId, b.viewerKeyId], workflowId: b.workflowId },
      },
      { seed: SEED, operations: OPERATIONS, conversations: CONVERSATIONS },
    );
    if (process.env.SWITCHYARD_HOSTILE_REPORT) writeFileSync(process.env.SWITCHYARD_HOSTILE_REPORT, JSON.stringify(report, null, 2));
    console.info(`hostile input (seed ${SEED}, replay with SWITCHYARD_CHAOS_SEED=${SEED}):\n${summary(report)}`);
    expect(report.failures, `seed ${SEED}: ${report.failures.length} failures\n${summary(report)}`).toEqual([]);

    // Every process is the one that started, and healthy.
    for (const service of stack.supervisor.services.values()) {
      expect(service.child?.pid, `${service.name} was restarted (seed ${SEED})`).toBe(pids.get(service.name));
      expect(service.restarts, `${service.name} restarts`).toBe(0);
      const health = await fetch(service.url.replace(/\/(graphql|v1)$/, '/healthz'));
      expect(health.status, `${service.name} /healthz`).toBe(200);
    }

    // The workflows the definitions started end on their own, none with an internal failure.
    const settled = await eventually(async () => {
      const statuses = await Promise.all(
        report.startedWorkflows.map((id) => graphql<{ workflow: { status: string; errorCode: string | null } | null }>(stack, a.key, 'query($id: ID!) { workflow(id: $id) { status errorCode } }', { id }).then((r) => r.workflow)),
      );
      return statuses.every((w) => w && !['QUEUED', 'RUNNING'].includes(w.status)) ? statuses : undefined;
    }, 120_000, 1000);
    expect(settled.filter((w) => w!.errorCode === 'INTERNAL_SERVER_ERROR' || w!.errorCode === 'ENGINE_FAILED')).toEqual([]);

    // The other tenant still sees its own data, and the platform still runs a normal workflow.
    const own = await graphql<{ workflow: { input: string } | null }>(stack, b.key, 'query($id: ID!) { workflow(id: $id) { input } }', { id: b.workflowId });
    expect(own.workflow?.input).toContain(markerB);
    const { startWorkflow } = await graphql<{ startWorkflow: { id: string } }>(stack, a.key, 'mutation { startWorkflow(input: { input: "Process insurance claim #12345", framework: LANGGRAPH }) { id } }');
    const done = await eventually(async () => {
      const { workflow } = await graphql<{ workflow: { status: string; error: string | null } | null }>(stack, a.key, 'query($id: ID!) { workflow(id: $id) { status error } }', { id: startWorkflow.id });
      return workflow && ['SUCCEEDED', 'FAILED'].includes(workflow.status) ? workflow : undefined;
    }, 60_000, 200);
    expect(done, 'a normal workflow after the suite').toMatchObject({ status: 'SUCCEEDED' });
  }, Math.max(600_000, OPERATIONS * 120));
});
