import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CreateApiKeyDocument, CreateTenantDocument, RevokeApiKeyDocument, SwitchyardClientError, ViewerDocument } from '@switchyard/client';
import { CONTEXT_HEADER } from '@switchyard/contracts';
import { ContextTokens } from '@switchyard/service-kit';
import { eventually, startTestStack, type TestStack } from '@switchyard/testkit';

type Stack = TestStack & { contextSecret: string };
const FEED_WAIT_MS = 2000;

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  return (await refusalOf(promise))?.code;
}

async function refusalOf(promise: Promise<unknown>): Promise<{ code: string | undefined; message: string } | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    if (error instanceof SwitchyardClientError) return { code: error.code, message: error.errors.map((e) => e.message).join('; ') };
    throw error;
  }
}

/** A graphql-ws connection (protocol graphql-transport-ws) through the gateway, acknowledged; `closed` settles with its close code. */
function connectSocket(url: string, key: string): Promise<{ ws: WebSocket; closed: Promise<{ code: number; reason: string }> }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws');
    const closed = new Promise<{ code: number; reason: string }>((done) => ws.once('close', (code, reason) => done({ code, reason: reason.toString() })));
    const timer = setTimeout(() => reject(new Error('no connection_ack within 10 s')), 10_000);
    ws.once('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${key}` } })));
    ws.on('message', (raw) => {
      if ((JSON.parse(raw.toString()) as { type: string }).type !== 'connection_ack') return;
      clearTimeout(timer);
      resolve({ ws, closed });
    });
    ws.once('error', reject);
    ws.once('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`closed with ${code} before connection_ack`));
    });
  });
}

const within = <T>(promise: Promise<T>, ms: number): Promise<T | 'still open'> => Promise.race([promise, new Promise<'still open'>((resolve) => setTimeout(() => resolve('still open'), ms))]);

/** Keys the gateway asked the tenants service to verify so far (its own counter). */
async function lookups(stack: Stack): Promise<number> {
  const text = await (await fetch(stack.supervisor.services.get('tenants')!.url.replace(/\/graphql$/, '/metrics'))).text();
  return Number(/^switchyard_credential_lookups_total\{outcome="asked"\} (\d+)/m.exec(text)?.[1] ?? 0);
}

/**
 * Decision 025: the gateway keeps verified keys and hears every revocation from the tenants
 * service's credential feed, so it does not ask about a key on every request and a revoked key
 * still stops working on its next request.
 */
describe("the gateway's cache of verified keys (real processes)", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startTestStack({ only: ['tenants', 'gateway'], env: { AUTH_FEED_WAIT_MS: String(FEED_WAIT_MS) } });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  async function newTenant(name: string) {
    const { createTenant } = await stack.client(stack.adminKey).request(CreateTenantDocument, { input: { name } });
    const admin = stack.client(createTenant.secret);
    const { createApiKey } = await admin.request(CreateApiKeyDocument, { input: { name: 'worker', role: 'DEVELOPER' } });
    return { tenantId: createTenant.tenant.id, admin, key: createApiKey };
  }

  it('asks about a key once, not per request, and refuses it on the very next request after it is revoked through the gateway', async () => {
    const { admin, key } = await newTenant('Cached Corp');
    const worker = stack.client(key.secret);
    await worker.request(ViewerDocument);
    const before = await lookups(stack);
    for (let i = 0; i < 30; i++) await worker.request(ViewerDocument);
    expect((await lookups(stack)) - before).toBe(0);

    await admin.request(RevokeApiKeyDocument, { id: key.apiKey.id });
    // No wait: the revoking mutation is answered once the change applies to this gateway.
    expect(await codeOf(worker.request(ViewerDocument))).toBe('UNAUTHENTICATED');
  });

  it('hears of a revocation made elsewhere (another gateway replica) within a moment, and of a suspended tenant', async () => {
    const { tenantId, key } = await newTenant('Elsewhere Corp');
    const worker = stack.client(key.secret);
    await worker.request(ViewerDocument);
    // Straight to the tenants subgraph, as another gateway replica would send it: this gateway's own plugin never sees it.
    const context = await new ContextTokens(stack.contextSecret).sign({ tenantId, role: 'TENANT_ADMIN', keyId: null, subject: 'test:other-gateway' });
    const revoked = await fetch(stack.supervisor.services.get('tenants')!.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [CONTEXT_HEADER]: context },
      body: JSON.stringify({ query: 'mutation($id: ID!) { revokeApiKey(id: $id) { id revokedAt } }', variables: { id: key.apiKey.id } }),
    });
    expect(((await revoked.json()) as { errors?: unknown }).errors).toBeUndefined();
    const t0 = Date.now();
    await eventually(async () => ((await codeOf(worker.request(ViewerDocument))) === 'UNAUTHENTICATED' ? true : undefined), 5000, 20);
    // Well within one long poll: the waiting poll is answered when the change is recorded.
    expect(Date.now() - t0).toBeLessThan(FEED_WAIT_MS);

    const other = await newTenant('Suspended Corp');
    const otherWorker = stack.client(other.key.secret);
    await otherWorker.request(ViewerDocument);
    const suspend = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.adminKey}` },
      body: JSON.stringify({ query: 'mutation($id: ID!) { suspendTenant(id: $id) { id status } }', variables: { id: other.tenantId } }),
    });
    expect(((await suspend.json()) as { data?: { suspendTenant: { status: string } } }).data?.suspendTenant.status).toBe('SUSPENDED');
    expect(await codeOf(otherWorker.request(ViewerDocument))).toBe('UNAUTHENTICATED');
  });

  it('closes the open graphql-ws connections of a key revoked or a tenant suspended, and keeps the others', async () => {
    const { tenantId, admin, key } = await newTenant('Socket Corp');
    const { createApiKey: kept } = await admin.request(CreateApiKeyDocument, { input: { name: 'stays', role: 'DEVELOPER' } });
    const doomed = await connectSocket(stack.gatewayUrl, key.secret);
    const staying = await connectSocket(stack.gatewayUrl, kept.secret);

    await admin.request(RevokeApiKeyDocument, { id: key.apiKey.id });
    const closed = await within(doomed.closed, 5000);
    expect(closed).toMatchObject({ code: 4403, reason: expect.stringContaining('revoked') });
    // The same tenant's other key is verified again and stays connected.
    expect(await within(staying.closed, 1000)).toBe('still open');
    expect(staying.ws.readyState).toBe(WebSocket.OPEN);

    const suspend = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.adminKey}` },
      body: JSON.stringify({ query: 'mutation($id: ID!) { suspendTenant(id: $id) { id status } }', variables: { id: tenantId } }),
    });
    expect(((await suspend.json()) as { data?: { suspendTenant: { status: string } } }).data?.suspendTenant.status).toBe('SUSPENDED');
    expect(await within(staying.closed, 5000)).toMatchObject({ code: 4403 });
    // A new connection with the key is refused as well.
    await expect(connectSocket(stack.gatewayUrl, kept.secret)).rejects.toThrow(/closed with 44\d\d/);
  });

  it('trusts nothing cached while the tenants service does not answer its feed, and caches again once it is back', async () => {
    const { key } = await newTenant('Outage Corp');
    const worker = stack.client(key.secret);
    await worker.request(ViewerDocument);
    stack.supervisor.kill('tenants', 'SIGKILL', { restart: false });
    const killedAt = Date.now();
    // Within one long poll and its grace the cached key is still trusted (the request fails only
    // because `viewer` lives in the tenants subgraph); past it, the gateway asks about the key and cannot.
    const early = await refusalOf(worker.request(ViewerDocument));
    expect(early?.message).not.toContain('Authentication is unavailable');
    const refused = await eventually(async () => {
      const refusal = await refusalOf(worker.request(ViewerDocument));
      return refusal?.message.includes('Authentication is unavailable') ? refusal : undefined;
    }, FEED_WAIT_MS + 15_000, 250);
    expect(refused.code).toBe('UNAVAILABLE');
    expect(Date.now() - killedAt).toBeLessThan(FEED_WAIT_MS + 5000 + 3000);
    await stack.supervisor.revive('tenants');
    await eventually(async () => ((await codeOf(worker.request(ViewerDocument))) === undefined ? true : undefined), 30_000, 250);
    const before = await lookups(stack);
    for (let i = 0; i < 10; i++) await worker.request(ViewerDocument);
    expect((await lookups(stack)) - before).toBe(0);
  });
});
