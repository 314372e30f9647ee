import { describe, expect, it } from 'vitest';
import { SqliteStore } from '@switchyard/store';
import type { TenantContext } from '@switchyard/contracts';
import { UsageMeter, type ModelCallUsage } from '../metering/usage-meter.ts';
import { NegotiatedPrices } from './negotiated-prices.ts';
import { PRICE_TABLE } from './price-table.ts';

const platform: TenantContext = { tenantId: null, role: 'PLATFORM_ADMIN', keyId: 'p', subject: 'ops' };
const viewer = (tenantId: string): TenantContext => ({ tenantId, role: 'VIEWER', keyId: 'k', subject: 's' });
const million = (callId: string, at: string, model = 'gpt-4o'): ModelCallUsage => ({
  callId, workflowId: 'w1', engine: 'LANGGRAPH', agent: null, step: null, model, inputTokens: 1_000_000, outputTokens: 1_000_000, cachedTokens: 0, latencyMs: 1, at,
});

describe('negotiated prices', () => {
  it('prices one tenant\'s calls with its negotiated price from the date it takes effect, and nobody else\'s', async () => {
    const store = new SqliteStore({ filename: ':memory:' });
    const now = new Date('2026-11-01T00:00:00Z');
    const prices = new NegotiatedPrices(store, () => now);
    const meter = new UsageMeter(store, { 'contoso-4o': 'gpt-4o' }, { negotiatedPrice: (t, m, at) => prices.priceAt(t, m, at) });
    await prices.set(platform, { tenantId: 'acme', model: 'gpt-4o', inputUsdPerMillion: 1, outputUsdPerMillion: 4, effectiveFrom: '2026-11-15T00:00:00Z' });
    await prices.set(platform, { tenantId: 'acme', model: 'gpt-4o', inputUsdPerMillion: 0.5, outputUsdPerMillion: 2, cachedInputUsdPerMillion: 0.25, effectiveFrom: '2026-12-01T00:00:00Z' });

    await meter.record('acme', million('before', '2026-11-14T23:59:59.000Z'));
    await meter.record('acme', million('during', '2026-11-20T00:00:00.000Z'));
    await meter.record('acme', million('deployment', '2026-11-21T00:00:00.000Z', 'contoso-4o'));
    await meter.record('acme', million('later', '2026-12-02T00:00:00.000Z', 'gpt-4o-2024-08-06'));
    await meter.record('acme', million('other-model', '2026-11-20T00:00:00.000Z', 'gpt-4o-mini'));
    await meter.record('globex', million('globex', '2026-11-20T00:00:00.000Z'));

    const list = PRICE_TABLE.models['gpt-4o'].input + PRICE_TABLE.models['gpt-4o'].output;
    const day = async (tenant: string, from: string, to: string) => (await meter.usage(viewer(tenant), tenant, from, to)).byModel;
    expect((await day('acme', '2026-11-14T00:00:00Z', '2026-11-15T00:00:00Z'))[0]!.totalUsd).toBeCloseTo(list, 8);
    expect((await day('acme', '2026-11-20T00:00:00Z', '2026-11-22T00:00:00Z')).map((m) => [m.model, m.totalUsd])).toEqual([['gpt-4o', 10], ['gpt-4o-mini', 0.75]]);
    expect((await day('acme', '2026-12-01T00:00:00Z', '2026-12-03T00:00:00Z'))[0]!.totalUsd).toBeCloseTo(2.5, 8);
    expect((await day('globex', '2026-11-20T00:00:00Z', '2026-11-21T00:00:00Z'))[0]!.totalUsd).toBeCloseTo(list, 8);

    expect(await prices.list(viewer('acme'), 'acme')).toHaveLength(2);
    expect(await prices.list(viewer('globex'), 'acme')).toEqual([]);
  });

  it('is set by platform admins only, for a model of the price table, from now on', async () => {
    const now = new Date('2026-11-10T12:00:00Z');
    const prices = new NegotiatedPrices(new SqliteStore({ filename: ':memory:' }), () => now);
    const input = { tenantId: 'acme', model: 'gpt-4o', inputUsdPerMillion: 1, outputUsdPerMillion: 4 };
    await expect(prices.set({ tenantId: 'acme', role: 'TENANT_ADMIN', keyId: 'k', subject: 's' }, input)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(prices.set(platform, { ...input, model: 'gpt-9' })).rejects.toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringContaining('gpt-4o-mini') });
    await expect(prices.set(platform, { ...input, outputUsdPerMillion: -1 })).rejects.toMatchObject({ code: 'BAD_USER_INPUT', extensions: { field: 'input.outputUsdPerMillion' } });
    await expect(prices.set(platform, { ...input, effectiveFrom: '2026-11-01T00:00:00Z' })).rejects.toMatchObject({ code: 'BAD_USER_INPUT', extensions: { field: 'input.effectiveFrom' } });
    const set = await prices.set(platform, input);
    expect(set).toMatchObject({ model: 'gpt-4o', cachedInputUsdPerMillion: 1, effectiveFrom: now.toISOString() });
  });
});
