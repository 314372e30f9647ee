import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '@switchyard/store';
import type { TenantContext } from '@switchyard/contracts';
import { createLogger } from '@switchyard/service-kit';
import { UsageMeter, monthOf, type ModelCallUsage } from '../metering/usage-meter.ts';
import { BudgetAlerts, budgetAlertOutbox } from './budget-alerts.ts';
import { BudgetManager } from './budget-manager.ts';
import { WebhookDispatcher } from './webhook-dispatcher.ts';
import { isPublicAddress, publicDestinationCheck } from './webhook-destination.ts';
import { OutboundHttpClient } from '@switchyard/tools';

const admin: TenantContext = { tenantId: 'acme', role: 'TENANT_ADMIN', keyId: 'k', subject: 's' };
const logger = createLogger('billing-test', 'silent');

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A real webhook receiver on loopback that answers each request with the next status of `statuses` (then 200). */
async function receiver(statuses: number[] = []): Promise<{ url: string; received: Received[]; next: () => Promise<Received>; close: () => Promise<void> }> {
  const received: Received[] = [];
  const waiting: Array<(r: Received) => void> = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      const entry = { headers: req.headers, body };
      received.push(entry);
      res.statusCode = statuses.shift() ?? 200;
      res.end();
      waiting.shift()?.(entry);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  let seen = 0;
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/budget`,
    received,
    next: () => (seen < received.length ? Promise.resolve(received[seen++]!) : new Promise((resolve) => waiting.push((r) => (seen++, resolve(r))))),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function verify(secret: string, r: Received): boolean {
  const header = String(r.headers['x-switchyard-signature']);
  const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header) ?? [];
  if (!t || !v1) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${r.body}`).digest();
  return timingSafeEqual(expected, Buffer.from(v1, 'hex'));
}

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

/** Billing's pieces as main.ts wires them, on one in-memory store. */
function billing(options: { maxAttempts?: number } = {}) {
  const store = new SqliteStore({ filename: ':memory:' });
  const check = publicDestinationCheck(['127.0.0.1']);
  let alerts: BudgetAlerts;
  const meter = new UsageMeter(store, {}, { onRecorded: async (tenantId, doc, spent) => void (await alerts.check(tenantId, monthOf(doc.at), spent)) });
  const budgets = new BudgetManager(store, meter, check);
  const dispatcher = new WebhookDispatcher([budgetAlertOutbox(store)], budgets, check, { maxAttempts: options.maxAttempts ?? 5, baseDelayMs: 20, maxDelayMs: 200, timeoutMs: 2000, pollMs: 60_000, logger, http: new OutboundHttpClient({ privateHostExemptions: ['127.0.0.1'], maxRedirects: 0 }) });
  alerts = new BudgetAlerts(store, budgets, (alert) => alert.deliveryState === 'PENDING' && dispatcher.kick());
  closers.push(() => dispatcher.stop());
  return { meter, budgets, alerts, dispatcher };
}

// Each call costs $0.15 (1M input tokens of gpt-4o-mini); the limit is $1.
let n = 0;
const call = (at = new Date().toISOString()): ModelCallUsage => ({
  callId: `call-${++n}`, workflowId: 'w1', engine: 'LANGGRAPH', agent: null, step: null, model: 'gpt-4o-mini', inputTokens: 1_000_000, outputTokens: 0, cachedTokens: 0, latencyMs: 1, at,
});

describe('budget thresholds', () => {
  it('fires each threshold once per month, even when many calls cross it at once, and signs the webhook', async () => {
    const hook = await receiver();
    closers.push(hook.close);
    const { meter, budgets, alerts } = billing();
    const budget = await budgets.setBudget(admin, { monthlyLimitUsd: 1, hardLimit: false, thresholds: [80, 50, 100], webhookUrl: hook.url });
    expect(budget).toMatchObject({ thresholds: [50, 80, 100], webhookUrl: hook.url, webhookSecret: expect.stringMatching(/^whsec_/) });

    await Promise.all(Array.from({ length: 4 }, () => meter.record('acme', call()))); // $0.60: 50% crossed
    const first = await hook.next();
    expect(JSON.parse(first.body)).toMatchObject({ type: 'budget.threshold_crossed', tenantId: 'acme', thresholdPercent: 50, limitUsd: 1 });
    expect(verify(budget.webhookSecret!, first)).toBe(true);
    expect(verify('whsec_wrong', first)).toBe(false);
    expect(first.headers['x-switchyard-event-id']).toBe(`alert-${monthOf(new Date())}-50`);

    await Promise.all(Array.from({ length: 6 }, () => meter.record('acme', call()))); // $1.50: 80% and 100% crossed
    const [second, third] = [await hook.next(), await hook.next()];
    expect([second, third].map((r) => JSON.parse(r.body).thresholdPercent).sort()).toEqual([100, 80]);
    expect([second, third].every((r) => verify(budget.webhookSecret!, r))).toBe(true);
    await Promise.all(Array.from({ length: 3 }, () => meter.record('acme', call())));

    const listed = await until(async () => {
      const all = await alerts.list(admin, 'acme');
      return all.every((a) => a.delivery.state === 'DELIVERED') ? all : undefined;
    });
    expect(listed.map((a) => a.thresholdPercent).sort((a, b) => a - b)).toEqual([50, 80, 100]);
    expect(listed.map((a) => a.delivery.attempts)).toEqual([1, 1, 1]);
    expect(hook.received).toHaveLength(3);
    // Another tenant sees none of them; last month's spend does not count towards this month.
    expect(await alerts.list({ ...admin, tenantId: 'globex' }, 'acme')).toEqual([]);
    await meter.record('acme', call('2020-01-15T00:00:00.000Z'));
    expect(await alerts.list(admin, 'acme', '2020-01')).toEqual([]);
  });

  it('retries a failing webhook with backoff without holding up the recorded call, and keeps the alert when it gives up', async () => {
    const flaky = await receiver([500, 503]);
    closers.push(flaky.close);
    const { meter, budgets, alerts } = billing();
    const { webhookSecret } = await budgets.setBudget(admin, { monthlyLimitUsd: 0.1, hardLimit: false, thresholds: [100], webhookUrl: flaky.url });
    await expect(meter.record('acme', call())).resolves.toBe(true);
    const attempts = [await flaky.next(), await flaky.next(), await flaky.next()];
    expect(new Set(attempts.map((a) => a.body)).size).toBe(1);
    expect(attempts.every((a) => verify(webhookSecret!, a))).toBe(true);
    const delivered = await until(async () => (await alerts.list(admin, 'acme')).find((a) => a.delivery.state === 'DELIVERED'));
    expect(delivered.delivery).toMatchObject({ attempts: 3, lastError: null });

    // A receiver that never accepts: the alert ends FAILED, still recorded with what went wrong.
    const broken = await receiver([500, 500, 500]);
    closers.push(broken.close);
    const other = billing({ maxAttempts: 3 });
    await other.budgets.setBudget(admin, { monthlyLimitUsd: 0.1, hardLimit: false, thresholds: [100], webhookUrl: broken.url });
    await other.meter.record('acme', call());
    const failed = await until(async () => (await other.alerts.list(admin, 'acme')).find((a) => a.delivery.state === 'FAILED'));
    expect(failed).toMatchObject({ thresholdPercent: 100, delivery: { attempts: 3, lastError: 'HTTP 500' } });
  });

  it('does not wait for a webhook that never answers', async () => {
    const held: Array<() => void> = [];
    const silent = createServer((_req, res) => held.push(() => res.end()));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise((resolve) => (held.forEach((release) => release()), silent.close(() => resolve()))));
    const { meter, budgets } = billing();
    await budgets.setBudget(admin, { monthlyLimitUsd: 0.1, hardLimit: false, thresholds: [100], webhookUrl: `http://127.0.0.1:${(silent.address() as AddressInfo).port}/` });
    await expect(meter.record('acme', call())).resolves.toBe(true);
    await until(async () => (held.length > 0 ? true : undefined));
    await expect(meter.record('acme', call())).resolves.toBe(true);
  });

  it('records alerts without a webhook, and a budget without thresholds crossed raises none', async () => {
    const { meter, budgets, alerts } = billing();
    await budgets.setBudget(admin, { monthlyLimitUsd: 10, hardLimit: false });
    await meter.record('acme', call());
    expect(await alerts.list(admin, 'acme')).toEqual([]);
    await budgets.setBudget(admin, { monthlyLimitUsd: 0.2, hardLimit: false });
    await meter.record('acme', call());
    const raised = (await alerts.list(admin, 'acme')).map((a) => [a.thresholdPercent, a.delivery.state]);
    expect(raised.sort(([a], [b]) => Number(a) - Number(b))).toEqual([[50, 'NO_WEBHOOK'], [80, 'NO_WEBHOOK'], [100, 'NO_WEBHOOK']]);
  });
});

describe('webhook destinations', () => {
  it('refuses private, loopback and reserved addresses unless the host is exempted by the operator', async () => {
    const { budgets } = billing();
    for (const url of ['http://localhost:8080/x', 'http://10.1.2.3/x', 'http://192.168.0.10/x', 'http://169.254.169.254/latest', 'http://[::1]:9000/', 'http://[fd00::1]/', 'http://127.0.0.2/']) {
      await expect(budgets.setBudget(admin, { monthlyLimitUsd: 1, hardLimit: false, webhookUrl: url }), url).rejects.toMatchObject({ code: 'BAD_USER_INPUT', extensions: { field: 'input.webhookUrl' } });
    }
    for (const url of ['ftp://hooks.example.com/', 'https://user:pw@hooks.example.com/', 'not a url']) {
      await expect(budgets.setBudget(admin, { monthlyLimitUsd: 1, hardLimit: false, webhookUrl: url }), url).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    }
    await expect(budgets.setBudget(admin, { monthlyLimitUsd: 1, hardLimit: false, webhookUrl: 'http://127.0.0.1:9/hook' })).resolves.toMatchObject({ webhookUrl: 'http://127.0.0.1:9/hook' });
    expect(['8.8.8.8', '2606:4700:4700::1111'].every(isPublicAddress)).toBe(true);
    expect(['100.64.0.1', '0.0.0.0', '224.0.0.1', '::ffff:127.0.0.1', 'fe80::1'].some(isPublicAddress)).toBe(false);
  });

  it('keeps the webhook secret across budget changes and shows it to tenant admins only', async () => {
    const { budgets } = billing();
    const first = await budgets.setBudget(admin, { monthlyLimitUsd: 1, hardLimit: false, webhookUrl: 'http://127.0.0.1:9/a' });
    const second = await budgets.setBudget(admin, { monthlyLimitUsd: 2, hardLimit: true, webhookUrl: 'http://127.0.0.1:9/b' });
    expect(second.webhookSecret).toBe(first.webhookSecret);
    expect(await budgets.getBudget({ ...admin, role: 'DEVELOPER' }, 'acme')).toMatchObject({ webhookUrl: 'http://127.0.0.1:9/b', webhookSecret: null });
    await expect(budgets.setBudget(admin, { monthlyLimitUsd: 1, hardLimit: false, thresholds: [0] })).rejects.toMatchObject({ code: 'BAD_USER_INPUT', extensions: { field: 'input.thresholds' } });
  });
});

async function until<T>(check: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 500; i++) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('condition not met');
}
