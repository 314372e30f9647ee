import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ContextTokens, ServiceEndpoints, createLogger } from '@switchyard/service-kit';
import { SqliteStore } from '@switchyard/store';
import type { EngineEvent, WorkflowEventRecord } from '@switchyard/contracts';
import { UsageForwarder } from './usage-forwarder.ts';

const tokens = new ContextTokens('x'.repeat(32));
const logger = createLogger('test', 'silent');

/** An HTTP endpoint in billing's place: answers 503 while `down`, and records each call id it takes. */
async function billingOn(port = 0): Promise<{ server: Server; url: string; received: string[]; batches(): number; setDown(down: boolean): void }> {
  const received: string[] = [];
  let down = false;
  let batches = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', async () => {
      if (down) {
        res.writeHead(503).end();
        return;
      }
      const context = await tokens.verify(req.headers['x-switchyard-context'] as string).catch(() => null);
      if (!context) {
        res.writeHead(401).end();
        return;
      }
      if (req.url !== '/internal/usage/batch') {
        res.writeHead(404).end();
        return;
      }
      for (const record of (JSON.parse(body) as { records: Array<{ callId: string }> }).records) received.push(`${context.tenantId}/${record.callId}`);
      batches += 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"recorded":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received, batches: () => batches, setDown: (d) => (down = d) };
}

const modelCall = (callId: string): EngineEvent => ({ type: 'MODEL_CALL', step: 'draft', data: { callId, model: 'gpt-4o-mini', usage: { input: 10, output: 5 }, latencyMs: 3 } });
const stored = (tenantId: string, workflowId: string, event: EngineEvent): WorkflowEventRecord =>
  ({ ...event, tenantId, workflowId, framework: 'LANGGRAPH', sequence: 1, at: new Date().toISOString() }) as WorkflowEventRecord;

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

describe('UsageForwarder', () => {
  it('delivers a held record at once and leaves nothing in the outbox', async () => {
    const billing = await billingOn();
    servers.push(billing.server);
    const store = new SqliteStore({ filename: ':memory:' });
    const forwarder = new UsageForwarder(store, new ServiceEndpoints(billing.url), tokens, logger, { graceMs: 0 });
    await forwarder.hold('acme', 'w1', 'LANGGRAPH', modelCall('c1'));
    forwarder.forward(stored('acme', 'w1', modelCall('c1')));
    await expect.poll(() => billing.received).toEqual(['acme/c1']);
    await expect.poll(() => store.collection('usage_outbox').count('acme')).toBe(0);
    // Other events are not usage.
    await forwarder.hold('acme', 'w1', 'LANGGRAPH', { type: 'STEP_STARTED', step: 'draft' });
    expect(await store.collection('usage_outbox').count('acme')).toBe(0);
  });

  it('keeps what billing did not take, and a later process drains it: every call once per tenant', async () => {
    const billing = await billingOn();
    servers.push(billing.server);
    const file = join(mkdtempSync(join(tmpdir(), 'usage-outbox-')), 'workflows.db');
    billing.setDown(true);
    const first = new UsageForwarder(new SqliteStore({ filename: file }), new ServiceEndpoints(billing.url), tokens, logger, { graceMs: 0 });
    // Two held, one of them sent while billing is down; the third never sent at all (the process "died").
    await first.hold('acme', 'w1', 'LANGGRAPH', modelCall('c1'));
    first.forward(stored('acme', 'w1', modelCall('c1')));
    await first.hold('globex', 'w2', 'CREWAI', modelCall('c2'));
    await first.hold('acme', 'w3', 'AUTOGEN', modelCall('c3'));
    expect(await first.drain()).toBe(0);

    billing.setDown(false);
    const second = new UsageForwarder(new SqliteStore({ filename: file }), new ServiceEndpoints(billing.url), tokens, logger, { graceMs: 0 });
    expect(await second.drain()).toBe(3);
    expect([...new Set(billing.received)].sort()).toEqual(['acme/c1', 'acme/c3', 'globex/c2']);
    expect(await second.drain()).toBe(0);
  });

  it("sends a tenant's records of the same moment in one request, another tenant's in its own", async () => {
    const billing = await billingOn();
    servers.push(billing.server);
    const store = new SqliteStore({ filename: ':memory:' });
    const forwarder = new UsageForwarder(store, new ServiceEndpoints(billing.url), tokens, logger, { graceMs: 0 });
    for (const [tenant, call] of [['acme', 'a1'], ['acme', 'a2'], ['globex', 'g1'], ['acme', 'a3']] as const) {
      await forwarder.hold(tenant, 'w', 'LANGGRAPH', modelCall(call));
      forwarder.forward(stored(tenant, 'w', modelCall(call)));
    }
    await expect.poll(() => billing.received.length).toBe(4);
    expect(billing.received.sort()).toEqual(['acme/a1', 'acme/a2', 'acme/a3', 'globex/g1']);
    expect(billing.batches()).toBe(2);
    await expect.poll(async () => (await store.collection('usage_outbox').count('acme')) + (await store.collection('usage_outbox').count('globex'))).toBe(0);
  });

  it('leaves records younger than the grace period to the immediate send', async () => {
    const billing = await billingOn();
    servers.push(billing.server);
    const forwarder = new UsageForwarder(new SqliteStore({ filename: ':memory:' }), new ServiceEndpoints(billing.url), tokens, logger, { graceMs: 60_000 });
    await forwarder.hold('acme', 'w1', 'LANGGRAPH', modelCall('c1'));
    expect(await forwarder.drain()).toBe(0);
    expect(billing.received).toEqual([]);
  });
});
