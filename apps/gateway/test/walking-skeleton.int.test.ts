import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateTenantDocument,
  StartWorkflowDocument,
  SwitchyardClientError,
  TenantDashboardDocument,
  ViewerDocument,
  WorkflowDocument,
  WorkflowEventsDocument,
  WorkflowProgressDocument,
  WorkflowsDocument,
  type WorkflowQuery,
} from '@switchyard/client';
import { eventually, startTestStack, type TestStack } from '@switchyard/testkit';
import { parsePrometheusText, prometheusParserAvailable, type MetricFamily } from '@switchyard/testkit/prometheus';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair, type JWK } from 'jose';

type Stack = TestStack & { contextSecret: string };
type ErrorBody = { data?: unknown; errors: { message: string; extensions: { code: string } }[] };

async function waitForStatus(stack: Stack, id: string, statuses: string[]): Promise<NonNullable<WorkflowQuery['workflow']>> {
  const client = stack.client();
  return eventually(async () => {
    const { workflow } = await client.request(WorkflowDocument, { id });
    return workflow && statuses.includes(workflow.status) ? workflow : undefined;
  }, 60_000, 200);
}

async function errorOf(promise: Promise<unknown>): Promise<SwitchyardClientError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SwitchyardClientError) return error;
    throw error;
  }
  throw new Error('expected the operation to fail');
}

const ISSUER = 'https://login.microsoftonline.com/entra-test/v2.0';
const AUDIENCE = 'api://switchyard-test';

/** An Entra-like identity provider for the test: a JWKS served on loopback and a key to sign tokens. */
async function startIdentityProvider() {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
  const server = http.createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/keys`;
  const sign = (claims: Record<string, unknown>, options: { audience?: string; expiresIn?: string } = {}) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: 'test-key' })
      .setIssuer(ISSUER)
      .setAudience(options.audience ?? AUDIENCE)
      .setSubject('user-1')
      .setIssuedAt()
      .setExpirationTime(options.expiresIn ?? '5m')
      .sign(privateKey);
  return { jwksUrl, sign, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('walking skeleton through the gateway', () => {
  let stack: Stack;
  let idp: Awaited<ReturnType<typeof startIdentityProvider>>;
  beforeAll(async () => {
    idp = await startIdentityProvider();
    stack = await startTestStack({ env: { OIDC_ISSUER: ISSUER, OIDC_AUDIENCE: AUDIENCE, OIDC_JWKS_URL: idp.jwksUrl } });
  });
  afterAll(async () => {
    await stack?.stop();
    await idp?.close();
  });

  it('refuses requests without a valid key with UNAUTHENTICATED', async () => {
    const anonymous = await fetch(stack.gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ viewer { role } }' }) });
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as ErrorBody).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    const wrong = await errorOf(stack.client('sy_abcdefghijkm_notarealsecretnotarealsecret00').request(ViewerDocument));
    expect(wrong.code).toBe('UNAUTHENTICATED');
    expect(wrong.status).toBe(401);
  });

  it('refuses requests that bypass the gateway', async () => {
    const workflowsUrl = stack.supervisor.services.get('workflows')!.url;
    const direct = await fetch(workflowsUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ workflows { edges { cursor } } }' }) });
    const body = (await direct.json()) as ErrorBody;
    expect(body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(body.data ?? null).toBeNull();
    const entities = await fetch(workflowsUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-switchyard-context': 'forged.token.value' },
      body: JSON.stringify({ query: '{ _service { sdl } }' }),
    });
    expect(((await entities.json()) as ErrorBody).errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('refuses abusive operations with a clear error', async () => {
    const post = async (body: unknown) => {
      const response = await fetch(stack.gatewayUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.apiKey}` },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as ErrorBody };
    };
    const deep = await post({ query: '{ workflows { edges { node { events { workflow { events { workflow { events { workflow { events { workflow { id } } } } } } } } } } } }' });
    expect(deep.body.errors[0]!.message).toMatch(/depth/i);
    const aliases = await post({ query: `{ ${Array.from({ length: 30 }, (_, i) => `a${i}: viewer { role }`).join(' ')} }` });
    expect(aliases.body.errors[0]!.message).toMatch(/aliases/i);
    const batch = await post([{ query: '{ viewer { role } }' }, { query: '{ viewer { role } }' }]);
    expect(batch.status).toBe(400);
    const huge = await post({ query: `{ viewer { role } } # ${'x'.repeat(1_100_000)}` });
    expect(huge.status).toBe(413);
    expect(huge.body.errors[0]!.extensions.code).toBe('BAD_USER_INPUT');
    const csrf = await fetch(stack.gatewayUrl + '?query=%7Bviewer%7Brole%7D%7D', { headers: { authorization: `Bearer ${stack.apiKey}` } });
    expect(csrf.status).toBe(400);
  });

  it('rate-limits each API key with 429, Retry-After and RATE_LIMITED', async () => {
    const admin = stack.client(stack.adminKey);
    const { createTenant } = await admin.request(CreateTenantDocument, { input: { name: 'Busy Corp' } });
    const responses = await Promise.all(
      Array.from({ length: 80 }, () =>
        fetch(stack.gatewayUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${createTenant.secret}` },
          body: JSON.stringify({ query: '{ viewer { role } }' }),
        }),
      ),
    );
    const limited = responses.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(responses.filter((r) => r.status === 200).length).toBeGreaterThanOrEqual(50);
    expect(Number(limited[0]!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const body = (await limited[0]!.json()) as ErrorBody & { errors: { extensions: { retryAfter: number } }[] };
    expect(body.errors[0]!.extensions.code).toBe('RATE_LIMITED');
    expect(body.errors[0]!.extensions.retryAfter).toBeGreaterThanOrEqual(1);
    const ok = responses.find((r) => r.status === 200)!;
    expect(((await ok.json()) as { data: { viewer: { role: string } } }).data.viewer.role).toBe('TENANT_ADMIN');
  });

  it('accepts Entra ID (OIDC) tokens verified against the JWKS, with the tenant and role from their claims', async () => {
    const developer = await idp.sign({ tid: stack.tenantId, roles: ['Switchyard.Developer'] });
    const { viewer } = await stack.client(developer).request(ViewerDocument);
    expect(viewer).toMatchObject({ role: 'DEVELOPER', tenant: { id: stack.tenantId } });
    const refusals = [
      await idp.sign({ tid: stack.tenantId, roles: ['Switchyard.Developer'] }, { audience: 'api://someone-else' }),
      await idp.sign({ tid: stack.tenantId, roles: ['Switchyard.Developer'] }, { expiresIn: '-10m' }),
      await idp.sign({ tid: 'no-such-tenant', roles: ['Switchyard.TenantAdmin'] }),
      await idp.sign({ tid: stack.tenantId, roles: ['SomethingElse'] }),
    ];
    for (const token of refusals) expect((await errorOf(stack.client(token).request(ViewerDocument))).code).toBe('UNAUTHENTICATED');
    const forged = `${developer.slice(0, -4)}AAAA`;
    expect((await errorOf(stack.client(forged).request(ViewerDocument))).code).toBe('UNAUTHENTICATED');
  });

  it('knows who is calling', async () => {
    const { viewer } = await stack.client().request(ViewerDocument);
    expect(viewer.role).toBe('TENANT_ADMIN');
    expect(viewer.tenant?.id).toBe(stack.tenantId);
  });

  it('runs a LangGraph workflow to SUCCEEDED with model calls, and streams its events', async () => {
    const client = stack.client();
    const { startWorkflow } = await client.request(StartWorkflowDocument, { input: { input: 'Process insurance claim #12345', framework: 'LANGGRAPH' } });
    expect(startWorkflow.framework).toBe('LANGGRAPH');
    const streamed: { sequence: number; type: string }[] = [];
    for await (const { workflowEvents } of client.subscribe(WorkflowEventsDocument, { workflowId: startWorkflow.id })) {
      streamed.push({ sequence: workflowEvents.sequence, type: workflowEvents.type });
    }
    await client.close();
    const workflow = await waitForStatus(stack, startWorkflow.id, ['SUCCEEDED', 'FAILED']);
    expect(workflow.error).toBeNull();
    expect(workflow.status).toBe('SUCCEEDED');
    expect(workflow.output).toMatch(/\S/);
    const modelCalls = workflow.events.filter((e) => e.type === 'MODEL_CALL');
    expect(modelCalls.length).toBeGreaterThanOrEqual(3);
    expect(workflow.events.map((e) => e.sequence)).toEqual(workflow.events.map((_, i) => i + 1));
    expect(workflow.events.at(-1)!.type).toBe('WORKFLOW_SUCCEEDED');
    expect(streamed).toEqual(workflow.events.map((e) => ({ sequence: e.sequence, type: e.type })));
    const state = workflow.state as { selectedFramework: string; finalOutput: string; tenantId: string };
    expect(state.selectedFramework).toBe('LANGGRAPH');
    expect(state.finalOutput).toBe(workflow.output);
    expect(state.tenantId).toBe(stack.tenantId);
    expect(workflow.tenant.id).toBe(stack.tenantId);
    // Billing meters every model call once, priced like the model the simulator stands for.
    const metered = await eventually(async () => {
      const { workflow: again } = await client.request(WorkflowDocument, { id: startWorkflow.id });
      return again && again.cost.modelCalls === modelCalls.length ? again.cost : undefined;
    }, 20_000, 200);
    expect(metered.totalUsd).toBeGreaterThan(0);
  });

  it.skipIf(!prometheusParserAvailable() && process.env.SWITCHYARD_REQUIRE_INFRA_TOOLS !== '1')(
    'serves Prometheus metrics on every service: requests per operation, workflows by status, model calls and cost per tenant, event delivery',
    async () => {
      const scrape = async (name: string): Promise<MetricFamily[]> => {
        const response = await fetch(stack.supervisor.services.get(name)!.url.replace(/\/graphql$/, '/metrics'));
        expect(response.status, name).toBe(200);
        return parsePrometheusText(await response.text());
      };
      const sample = (families: MetricFamily[], name: string, labels: Record<string, string>) =>
        families.find((f) => f.name === name)?.samples.find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v));
      // Every service, each labelled with its name.
      for (const name of ['gateway', 'tenants', 'selection', 'workflows', 'engine-langgraph', 'engine-crewai', 'engine-autogen', 'billing', 'knowledge']) {
        const families = await scrape(name);
        expect(sample(families, 'switchyard_nodejs_eventloop_lag_seconds', { service: name }), name).toBeDefined();
      }
      // The workflow of the test before: through the gateway, on the orchestrator, and metered in billing.
      const gateway = await scrape('gateway');
      expect(sample(gateway, 'switchyard_graphql_requests_total', { operation: 'mutation:startWorkflow', outcome: 'ok' })?.value).toBeGreaterThanOrEqual(1);
      expect(sample(gateway, 'switchyard_gateway_subscriptions_total', {})?.value).toBeGreaterThanOrEqual(1);
      const workflows = await scrape('workflows');
      expect(sample(workflows, 'switchyard_workflow_transitions_total', { framework: 'LANGGRAPH', status: 'SUCCEEDED' })?.value).toBeGreaterThanOrEqual(1);
      expect(sample(workflows, 'switchyard_event_delivery_seconds', {})?.count).toBeGreaterThanOrEqual(1);
      expect(sample(workflows, 'switchyard_workflows_open', { status: 'RUNNING' })).toBeDefined();
      const billing = await scrape('billing');
      const calls = sample(billing, 'switchyard_model_calls_total', { tenant: stack.tenantId, model: 'gpt-4o-mini', engine: 'LANGGRAPH' });
      expect(calls?.value).toBeGreaterThanOrEqual(3);
      expect(sample(billing, 'switchyard_model_cost_usd_total', { tenant: stack.tenantId, engine: 'LANGGRAPH' })?.value).toBeGreaterThan(0);
      expect(sample(billing, 'switchyard_model_tokens_total', { tenant: stack.tenantId, kind: 'output' })?.value).toBeGreaterThan(0);
      // An error answered by the gateway is counted with its code.
      expect((await errorOf(stack.client().request(StartWorkflowDocument, { input: { input: '   ' } }))).code).toBe('BAD_USER_INPUT');
      const after = await scrape('gateway');
      expect(sample(after, 'switchyard_graphql_errors_total', { operation: 'mutation:startWorkflow', code: 'BAD_USER_INPUT' })?.value).toBeGreaterThanOrEqual(1);
    },
  );

  it("gives a tenant its dashboard series (runs by framework, model usage by engine and model), and another tenant only its own", async () => {
    const { tenant } = await stack.client().request(TenantDashboardDocument, { id: stack.tenantId, bucket: 'MINUTE' });
    const runs = tenant!.runSeries.filter((p) => p.framework === 'LANGGRAPH');
    expect(runs.reduce((n, p) => n + p.succeeded, 0)).toBeGreaterThanOrEqual(1);
    expect(runs.every((p) => p.latencyP95Ms === null || p.latencyP95Ms >= p.latencyP50Ms!)).toBe(true);
    const usage = tenant!.usageSeries.filter((p) => p.engine === 'LANGGRAPH');
    expect(usage.reduce((n, p) => n + p.modelCalls, 0)).toBeGreaterThanOrEqual(3);
    expect(usage.reduce((n, p) => n + p.costUsd, 0)).toBeGreaterThan(0);
    const bad = await errorOf(stack.client().request(TenantDashboardDocument, { id: stack.tenantId, from: '2026-12-02T00:00:00Z', to: '2026-12-01T00:00:00Z' }));
    expect(bad.code).toBe('BAD_USER_INPUT');
    // A fresh tenant has nothing yet, whatever it asks for.
    const { createTenant } = await stack.client(stack.adminKey).request(CreateTenantDocument, { input: { name: 'Dashboard Newcomer' } });
    const own = await stack.client(createTenant.secret).request(TenantDashboardDocument, { id: createTenant.tenant.id, bucket: 'MINUTE' });
    expect(own.tenant).toMatchObject({ runSeries: [], usageSeries: [] });
  });

  it('resolves fields of other subgraphs on every subscription event, replays after a sequence, and keeps tenants apart', async () => {
    const client = stack.client();
    const { startWorkflow } = await client.request(StartWorkflowDocument, { input: { input: 'Triage ticket 42', framework: 'LANGGRAPH' } });
    const events = [];
    for await (const { workflowEvents } of client.subscribe(WorkflowProgressDocument, { workflowId: startWorkflow.id })) events.push(workflowEvents);
    expect(events.length).toBeGreaterThan(3);
    for (const event of events) {
      expect(event.workflow.id).toBe(startWorkflow.id);
      expect(event.workflow.tenant.name).toBe('Dev tenant');
      expect(event.workflow.cost.totalUsd).toBeGreaterThanOrEqual(0);
    }
    expect(events.at(-1)!.workflow.status).toBe('SUCCEEDED');
    const replay = [];
    for await (const { workflowEvents } of client.subscribe(WorkflowEventsDocument, { workflowId: startWorkflow.id, afterSequence: 3 })) replay.push(workflowEvents.sequence);
    expect(replay).toEqual(events.slice(3).map((e) => e.sequence));
    await client.close();

    const admin = stack.client(stack.adminKey);
    const { createTenant } = await admin.request(CreateTenantDocument, { input: { name: 'Eavesdropper' } });
    const other = stack.client(createTenant.secret);
    const denied = await errorOf((async () => {
      for await (const _ of other.subscribe(WorkflowEventsDocument, { workflowId: startWorkflow.id })) throw new Error('received another tenant\'s event');
    })());
    expect(denied.code).toBe('NOT_FOUND');
    await other.close();
  });

  it('asks the recommender when no framework is named, and pages workflows newest first', async () => {
    const client = stack.client();
    const { startWorkflow } = await client.request(StartWorkflowDocument, { input: { input: 'Route this support ticket', idempotencyKey: 'ticket-1' } });
    expect(startWorkflow.recommendation?.modelVersion).toBeTruthy();
    const again = await client.request(StartWorkflowDocument, { input: { input: 'Route this support ticket', idempotencyKey: 'ticket-1' } });
    expect(again.startWorkflow.id).toBe(startWorkflow.id);
    const first = await client.request(WorkflowsDocument, { first: 1 });
    expect(first.workflows.edges[0]!.node.id).toBe(startWorkflow.id);
    expect(first.workflows.pageInfo.hasNextPage).toBe(true);
    const second = await client.request(WorkflowsDocument, { first: 1, after: first.workflows.pageInfo.endCursor });
    expect(second.workflows.edges[0]!.node.id).not.toBe(startWorkflow.id);
  });

  it('rejects bad input with BAD_USER_INPUT and a message that says what to do', async () => {
    const error = await errorOf(stack.client().request(StartWorkflowDocument, { input: { input: '   ' } }));
    expect(error.code).toBe('BAD_USER_INPUT');
    expect(error.message).toContain('input.input');
    const tooLong = await errorOf(stack.client().request(StartWorkflowDocument, { input: { input: 'x'.repeat(100_001) } }));
    expect(tooLong.code).toBe('BAD_USER_INPUT');
    expect(tooLong.message).toContain('the limit is 100000');
    const badDefinition = await errorOf(stack.client().request(StartWorkflowDocument, { input: { input: 'x', framework: 'LANGGRAPH', definition: [1, 2] } }));
    expect(badDefinition.message).toContain('input.definition must be a JSON object');
  });

  it('keeps tenants apart', async () => {
    const admin = stack.client(stack.adminKey);
    const { createTenant } = await admin.request(CreateTenantDocument, { input: { name: 'Other Corp' } });
    const other = stack.client(createTenant.secret);
    const mine = await stack.client().request(WorkflowsDocument, { first: 5 });
    const someId = mine.workflows.edges[0]!.node.id;
    expect((await other.request(WorkflowDocument, { id: someId })).workflow).toBeNull();
    expect((await other.request(WorkflowsDocument, { first: 5 })).workflows.edges).toEqual([]);
    const forbidden = await errorOf(stack.client().request(CreateTenantDocument, { input: { name: 'Nope' } }));
    expect(forbidden.code).toBe('FORBIDDEN');
  });

  it('keeps workflows across a restart of the platform', async () => {
    const { workflows } = await stack.client().request(WorkflowsDocument, { first: 10, status: 'SUCCEEDED' });
    const before = await stack.client().request(WorkflowDocument, { id: workflows.edges[0]!.node.id });
    await stack.stop({ keepState: true });
    stack = await startTestStack({ reuse: stack });
    const after = await stack.client().request(WorkflowDocument, { id: before.workflow!.id });
    expect(after.workflow?.status).toBe('SUCCEEDED');
    expect(after.workflow?.output).toBe(before.workflow!.output);
    expect(after.workflow?.events.length).toBe(before.workflow!.events.length);
  });
});
