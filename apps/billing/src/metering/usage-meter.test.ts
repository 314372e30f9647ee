import { describe, expect, it } from 'vitest';
import { SqliteStore } from '@switchyard/store';
import type { TenantContext } from '@switchyard/contracts';
import { PRICE_TABLE, costUsd, lookupPrice } from '../pricing/price-table.ts';
import { UsageMeter, type ModelCallUsage } from './usage-meter.ts';

const viewer = (tenantId: string): TenantContext => ({ tenantId, role: 'VIEWER', keyId: 'k', subject: 's' });

function call(overrides: Partial<ModelCallUsage>): ModelCallUsage {
  return { callId: 'c1', workflowId: 'w1', engine: 'CREWAI', agent: 'Writer', step: 'draft', model: 'gpt-4o-mini', inputTokens: 1_000_000, outputTokens: 100_000, cachedTokens: 0, latencyMs: 10, at: '2026-11-10T00:00:00.000Z', ...overrides };
}

describe('price table', () => {
  it('prices every listed model, dated variants, Azure deployments and the simulator\'s names', () => {
    for (const [model, price] of Object.entries(PRICE_TABLE.models)) expect(lookupPrice(model).price).toEqual(price);
    expect(lookupPrice('gpt-4o-mini-2024-07-18').model).toBe('gpt-4o-mini');
    expect(lookupPrice('gpt-4o-2024-08-06').model).toBe('gpt-4o');
    expect(lookupPrice('contoso-prod-chat', { 'contoso-prod-chat': 'gpt-4.1' }).model).toBe('gpt-4.1');
    expect(lookupPrice('llama3:8b')).toEqual({ model: null, price: null });
    expect(lookupPrice('gpt-4o', {}, { 'gpt-4o': { input: 1, output: 2, cachedInput: 0.5 } }).price).toEqual({ input: 1, output: 2, cachedInput: 0.5 });
    expect(costUsd(PRICE_TABLE.models['gpt-4o'], { inputTokens: 1_000_000, outputTokens: 1_000_000, cachedTokens: 500_000 })).toBeCloseTo(0.5 * 2.5 + 0.5 * 1.25 + 10, 10);
  });
});

describe('UsageMeter', () => {
  it('records each call once, however often it is reported, and prices it', async () => {
    const meter = new UsageMeter(new SqliteStore({ filename: ':memory:' }));
    expect(await meter.record('acme', call({}))).toBe(true);
    expect(await meter.record('acme', call({}))).toBe(false);
    const cost = await meter.workflowCost(viewer('acme'), 'w1');
    expect(cost).toMatchObject({ modelCalls: 1, inputTokens: 1_000_000, outputTokens: 100_000 });
    expect(cost.totalUsd).toBeCloseTo(0.15 + 0.06, 10);
  });

  it('records a batch: each new call once, repeats refused, the month\'s spend counted once per call, per month', async () => {
    const seen: number[] = [];
    const meter = new UsageMeter(new SqliteStore({ filename: ':memory:' }), {}, { onRecorded: async (_tenant, _doc, monthSpendUsd) => void seen.push(monthSpendUsd) });
    expect(await meter.record('acme', call({ callId: 'a' }))).toBe(true);
    const batch = [call({ callId: 'a' }), call({ callId: 'b' }), call({ callId: 'b' }), call({ callId: 'c', at: '2026-12-01T00:00:00.000Z' })];
    expect(await meter.recordMany('acme', batch)).toEqual([false, true, false, true]);
    const one = 0.15 + 0.06;
    expect(await meter.monthSpend('acme', new Date('2026-12-20T00:00:00Z'))).toBeCloseTo(one, 9);
    // The month counters the alerts read: November's after "a" and after "b", December's after "c".
    expect(seen.map((v) => Number(v.toFixed(9)))).toEqual([one, 2 * one, one].map((v) => Number(v.toFixed(9))));
  });

  it('splits a workflow\'s cost by agent and keeps tenants apart', async () => {
    const meter = new UsageMeter(new SqliteStore({ filename: ':memory:' }));
    await meter.record('acme', call({ callId: 'a', agent: 'Writer' }));
    await meter.record('acme', call({ callId: 'b', agent: 'Editor', model: 'gpt-4o' }));
    await meter.record('acme', call({ callId: 'c', agent: 'Writer', workflowId: 'w2', at: '2026-10-30T00:00:00.000Z' }));
    await meter.record('globex', call({ callId: 'd', workflowId: 'w1' }));
    const cost = await meter.workflowCost(viewer('acme'), 'w1');
    expect(cost.modelCalls).toBe(2);
    expect(cost.byAgent.map((a) => a.agent).sort()).toEqual(['Editor', 'Writer']);
    expect((await meter.workflowCost(viewer('other'), 'w1')).modelCalls).toBe(0);
    const usage = await meter.usage(viewer('acme'), 'acme', '2026-11-01T00:00:00.000Z', null);
    expect(usage).toMatchObject({ modelCalls: 2, workflows: 1 });
    expect((await meter.usage(viewer('acme'), 'acme')).workflows).toBe(2);
    expect((await meter.usage(viewer('globex'), 'acme')).modelCalls).toBe(0);
    expect(await meter.monthSpend('acme', new Date('2026-11-20T00:00:00Z'))).toBeCloseTo(cost.totalUsd, 8);
  });

  it("gives a tenant's calls as a time series per bucket, engine and model, with latency percentiles, and nobody else's", async () => {
    const meter = new UsageMeter(new SqliteStore({ filename: ':memory:' }));
    const at = (minute: number, second = 0) => `2026-11-10T08:${String(minute).padStart(2, '0')}:${String(second).padStart(2, '0')}.000Z`;
    for (let i = 0; i < 10; i++) await meter.record('acme', call({ callId: `l${i}`, engine: 'LANGGRAPH', at: at(1, i), latencyMs: (i + 1) * 100, outputTokens: 10, inputTokens: 100 }));
    await meter.record('acme', call({ callId: 'c1', engine: 'CREWAI', model: 'gpt-4o-mini-2024-07-18', at: at(1, 30), latencyMs: 50 }));
    await meter.record('acme', call({ callId: 'l-late', engine: 'LANGGRAPH', at: at(3), latencyMs: 70 }));
    await meter.record('acme', call({ callId: 'outside', engine: 'LANGGRAPH', at: '2026-11-10T09:30:00.000Z' }));
    await meter.record('globex', call({ callId: 'g1', engine: 'LANGGRAPH', at: at(1) }));
    const series = await meter.usageSeries(viewer('acme'), 'acme', { from: '2026-11-10T08:00:00Z', to: '2026-11-10T09:00:00Z', bucket: 'MINUTE' });
    expect(series.map((p) => [p.start, p.engine, p.model, p.modelCalls])).toEqual([
      ['2026-11-10T08:01:00.000Z', 'CREWAI', 'gpt-4o-mini', 1],
      ['2026-11-10T08:01:00.000Z', 'LANGGRAPH', 'gpt-4o-mini', 10],
      ['2026-11-10T08:03:00.000Z', 'LANGGRAPH', 'gpt-4o-mini', 1],
    ]);
    expect(series[1]).toMatchObject({ inputTokens: 1000, outputTokens: 100, latencyP50Ms: 500, latencyP95Ms: 1000 });
    expect(series[1]!.costUsd).toBeCloseTo((1000 * 0.15 + 100 * 0.6) / 1e6, 10);
    const hourly = await meter.usageSeries(viewer('acme'), 'acme', { from: '2026-11-10T00:00:00Z', to: '2026-11-11T00:00:00Z', bucket: 'HOUR' });
    expect(hourly.map((p) => [p.start.slice(11, 13), p.engine, p.modelCalls])).toEqual([['08', 'CREWAI', 1], ['08', 'LANGGRAPH', 11], ['09', 'LANGGRAPH', 1]]);
    // Another tenant asking for acme's series gets nothing; a bad window is a clear error.
    expect(await meter.usageSeries(viewer('globex'), 'acme', { from: '2026-11-10T00:00:00Z', to: '2026-11-11T00:00:00Z' })).toEqual([]);
    await expect(meter.usageSeries(viewer('acme'), 'acme', { from: '2026-11-11T00:00:00Z', to: '2026-11-10T00:00:00Z' })).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
  });

  it('breaks usage down by model (dated variants as their base model), engine and day', async () => {
    const meter = new UsageMeter(new SqliteStore({ filename: ':memory:' }));
    await meter.record('acme', call({ callId: 'a', model: 'gpt-4o-mini-2024-07-18', engine: 'CREWAI', at: '2026-11-10T08:00:00.000Z' }));
    await meter.record('acme', call({ callId: 'b', model: 'gpt-4o-mini', engine: 'LANGGRAPH', at: '2026-11-10T23:59:59.000Z' }));
    await meter.record('acme', call({ callId: 'c', model: 'gpt-4o', engine: 'LANGGRAPH', at: '2026-11-11T00:00:00.000Z' }));
    await meter.record('acme', call({ callId: 'd', model: 'llama3:8b', engine: null, at: '2026-11-12T00:00:00.000Z' }));
    await meter.record('globex', call({ callId: 'e', model: 'gpt-4.1', at: '2026-11-12T00:00:00.000Z' }));
    const usage = await meter.usage(viewer('acme'), 'acme');
    const mini = 0.15 + 0.06;
    const fourO = 2.5 + 1;
    expect(usage.byModel.map((m) => [m.model, m.modelCalls])).toEqual([['gpt-4o', 1], ['gpt-4o-mini', 2], ['llama3:8b', 1]]);
    expect(usage.byModel.find((m) => m.model === 'gpt-4o-mini')!.totalUsd).toBeCloseTo(2 * mini, 8);
    expect(usage.byEngine.map((e) => [e.engine, e.modelCalls])).toEqual([['CREWAI', 1], ['LANGGRAPH', 2], ['UNKNOWN', 1]]);
    expect(usage.byEngine.find((e) => e.engine === 'LANGGRAPH')!.totalUsd).toBeCloseTo(mini + fourO, 8);
    expect(usage.byDay.map((d) => [d.day, d.modelCalls])).toEqual([['2026-11-10', 2], ['2026-11-11', 1], ['2026-11-12', 1]]);
    // Every breakdown adds up to the total, and the range narrows all of them.
    for (const slices of [usage.byModel, usage.byEngine, usage.byDay]) expect(slices.reduce((n, s) => n + s.totalUsd, 0)).toBeCloseTo(usage.totalUsd, 8);
    const oneDay = await meter.usage(viewer('acme'), 'acme', '2026-11-11T00:00:00.000Z', '2026-11-12T00:00:00.000Z');
    expect(oneDay.byDay.map((d) => [d.day, d.modelCalls, d.totalUsd])).toEqual([['2026-11-11', 1, oneDay.totalUsd]]);
    expect(oneDay.byModel.map((m) => m.model)).toEqual(['gpt-4o']);
  });

  it('marks a call estimated whether the engine\'s mark comes before or after the usage record, in that tenant only', async () => {
    const meter = new UsageMeter(new SqliteStore({ filename: ':memory:' }));
    const mark = (callId: string) => ({ callId, workflowId: 'w1', model: 'gpt-4o-mini', encoding: 'o200k_base' });
    await meter.markEstimated('acme', mark('before'));
    await meter.record('acme', call({ callId: 'before' }));
    await meter.record('acme', call({ callId: 'after' }));
    await meter.markEstimated('acme', mark('after'));
    await meter.markEstimated('acme', mark('after'));
    await meter.record('acme', call({ callId: 'reported' }));
    await meter.markEstimated('globex', mark('reported'));
    expect((await meter.workflowCost(viewer('acme'), 'w1'))).toMatchObject({ modelCalls: 3, estimatedModelCalls: 2 });
    expect((await meter.usage(viewer('acme'), 'acme')).estimatedModelCalls).toBe(2);
  });
});
