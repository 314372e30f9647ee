import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SqliteStore } from '@switchyard/store';
import type { TenantContext } from '@switchyard/contracts';
import { createLogger } from '@switchyard/service-kit';
import { AlertEvaluator, type AlertSignals } from './alert-evaluator.ts';
import { AlertRules } from './alert-rules.ts';

const admin: TenantContext = { tenantId: 'acme', role: 'TENANT_ADMIN', keyId: 'k', subject: 's' };
const other: TenantContext = { tenantId: 'globex', role: 'TENANT_ADMIN', keyId: 'k2', subject: 's2' };
const logger = createLogger('billing-test', 'silent');
const INTERVAL = 60_000;

/** Signals that read a value per tenant from a table the test sets (the values an evaluation sees). */
function signals(values: Map<string, number>): AlertSignals {
  return {
    modelCalls: async (tenantId) => {
      const latency = values.get(tenantId) ?? 200;
      return { costUsd: latency / 1000, latenciesMs: [latency, latency, latency] };
    },
    runOutcomes: async () => ({ ended: 0, failed: 0 }),
  };
}

const dirs: string[] = [];
const stores: SqliteStore[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Two "replicas" on one SQLite file, as two billing processes would share one store. */
function twoReplicas() {
  const dir = mkdtempSync(join(tmpdir(), 'alerts-'));
  dirs.push(dir);
  const a = new SqliteStore({ filename: join(dir, 'billing.db') });
  const b = new SqliteStore({ filename: join(dir, 'billing.db') });
  stores.push(a, b);
  return [new AlertRules(a), new AlertRules(b)] as const;
}

describe('alert evaluator', () => {
  it('learns a latency baseline, fires once on a spike, resolves, with two replicas evaluating the same rule at once', async () => {
    const [rulesA, rulesB] = twoReplicas();
    const values = new Map<string, number>();
    const raised: string[] = [];
    const a = new AlertEvaluator(rulesA, signals(values), { intervalMs: INTERVAL, logger, onEvent: (e) => raised.push(`A ${e.kind}`) });
    const b = new AlertEvaluator(rulesB, signals(values), { intervalMs: INTERVAL, logger, onEvent: (e) => raised.push(`B ${e.kind}`) });
    const rule = await rulesA.set(admin, { name: 'Latency anomaly', metric: 'MODEL_LATENCY_P95_MS', condition: 'ANOMALY', minBaseline: 10, resolveAfter: 2 });
    await rulesA.set(other, { name: 'Globex latency', metric: 'MODEL_LATENCY_P95_MS', condition: 'ANOMALY', minBaseline: 10 });

    const start = Date.parse('2026-12-07T00:00:00Z');
    const series = [...Array.from({ length: 20 }, (_, i) => 200 + (i % 5) * 3), 1500, 1400, 1450, 205, 200, 210];
    for (const [i, latency] of series.entries()) {
      values.set('acme', latency);
      const at = new Date(start + i * INTERVAL);
      await Promise.all([a.evaluateAll(at), b.evaluateAll(at)]);
    }
    expect(raised.map((r) => r.slice(2))).toEqual(['FIRING', 'RESOLVED']);
    const events = await rulesA.listEvents(admin, 'acme', {});
    expect(events.map((e) => [e.kind, e.value])).toEqual([
      ['RESOLVED', 200],
      ['FIRING', 1500],
    ]);
    expect(events[1]!.zScore).toBeGreaterThan(3);
    expect(events[1]!.baseline).toBeGreaterThan(190);
    expect(events[1]!.baseline).toBeLessThan(220);
    const [view] = await rulesA.list(admin, 'acme');
    expect(view).toMatchObject({ id: rule.id, state: 'OK', lastValue: 210 });
    // The other tenant's steady latency raised nothing, and its events are its own.
    expect(await rulesA.listEvents(other, 'globex', {})).toEqual([]);
    expect(await rulesA.listEvents(admin, 'globex', {})).toEqual([]);
  });

  it('finishes the event of a replica that died after deciding it, exactly once', async () => {
    const [rules] = twoReplicas();
    const values = new Map([['acme', 5000]]); // $5 of model calls in the window
    const evaluator = new AlertEvaluator(rules, signals(values), { intervalMs: INTERVAL, logger });
    const rule = await rules.set(admin, { name: 'Spend over $1 in 5 minutes', metric: 'COST_USD', condition: 'THRESHOLD', threshold: 1 });
    const event = await evaluator.evaluateRule(rule, new Date('2026-12-07T00:00:00Z'));
    expect(event?.kind).toBe('FIRING');
    // As if the process died between its state write and storing the event.
    await rules.events.delete('acme', event!.id);
    expect(await rules.listEvents(admin, 'acme', {})).toEqual([]);
    await evaluator.evaluateRule(rule, new Date('2026-12-07T00:01:00Z'));
    await evaluator.evaluateRule(rule, new Date('2026-12-07T00:02:00Z'));
    expect((await rules.listEvents(admin, 'acme', {})).map((e) => e.id)).toEqual([event!.id]);
  });

  it('starts a changed rule from nothing, and a deleted rule is no longer evaluated', async () => {
    const [rules] = twoReplicas();
    const values = new Map([['acme', 5000]]); // $5 of model calls in the window
    const evaluator = new AlertEvaluator(rules, signals(values), { intervalMs: INTERVAL, logger });
    const rule = await rules.set(admin, { name: 'Spend', metric: 'COST_USD', condition: 'THRESHOLD', threshold: 1 });
    await evaluator.evaluateAll(new Date('2026-12-07T00:00:00Z'));
    expect((await rules.list(admin, 'acme'))[0]).toMatchObject({ state: 'FIRING' });
    await rules.set(admin, { id: rule.id, name: 'Spend', metric: 'COST_USD', condition: 'THRESHOLD', threshold: 100 });
    expect((await rules.list(admin, 'acme'))[0]).toMatchObject({ state: 'OK', lastValue: null, threshold: 100 });
    await evaluator.evaluateAll(new Date('2026-12-07T00:01:00Z'));
    expect((await rules.list(admin, 'acme'))[0]).toMatchObject({ state: 'OK', lastValue: 5 });
    expect(await rules.delete(admin, rule.id)).toBe(true);
    await evaluator.evaluateAll(new Date('2026-12-07T00:02:00Z'));
    expect(await rules.list(admin, 'acme')).toEqual([]);
    expect(await rules.delete(admin, rule.id)).toBe(false);
  });

  it('starts a rule changed within the same millisecond from nothing too', async () => {
    const [rules] = twoReplicas();
    const evaluator = new AlertEvaluator(rules, signals(new Map([['acme', 5000]])), { intervalMs: INTERVAL, logger });
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-12-07T00:00:00Z') });
    try {
      const rule = await rules.set(admin, { name: 'Spend', metric: 'COST_USD', condition: 'THRESHOLD', threshold: 1 });
      await evaluator.evaluateAll(new Date('2026-12-07T00:00:00Z'));
      expect((await rules.list(admin, 'acme'))[0]).toMatchObject({ state: 'FIRING' });
      // The clock has not moved: the change still gets a later version than the rule it replaces.
      const changed = await rules.set(admin, { id: rule.id, name: 'Spend', metric: 'COST_USD', condition: 'THRESHOLD', threshold: 100 });
      expect(Date.parse(changed.updatedAt)).toBeGreaterThan(Date.parse(rule.updatedAt));
      expect((await rules.list(admin, 'acme'))[0]).toMatchObject({ state: 'OK', lastValue: null, threshold: 100 });
    } finally {
      vi.useRealTimers();
    }
  });
});
