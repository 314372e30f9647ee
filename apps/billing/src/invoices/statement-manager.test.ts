import { describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { SqliteStore } from '@switchyard/store';
import type { TenantContext } from '@switchyard/contracts';
import { UsageMeter, type ModelCallUsage } from '../metering/usage-meter.ts';
import { StatementManager } from './statement-manager.ts';

const platform: TenantContext = { tenantId: null, role: 'PLATFORM_ADMIN', keyId: 'p', subject: 'ops' };
const viewer = (tenantId: string): TenantContext => ({ tenantId, role: 'VIEWER', keyId: 'k', subject: 's' });
let n = 0;
const call = (overrides: Partial<ModelCallUsage>): ModelCallUsage => ({
  callId: `c${++n}`, workflowId: 'w1', engine: 'LANGGRAPH', agent: null, step: null, model: 'gpt-4o-mini', inputTokens: 1000, outputTokens: 500, cachedTokens: 0, latencyMs: 1, at: '2026-10-05T10:00:00.000Z', ...overrides,
});

async function setup(plans: Record<string, string> = { acme: 'team', globex: 'enterprise' }) {
  const store = new SqliteStore({ filename: ':memory:' });
  const meter = new UsageMeter(store);
  let now = new Date('2026-11-03T00:00:00Z');
  const statements = new StatementManager(store, meter, async (tenantId) => plans[tenantId]!, { free: 1, team: 1.25, enterprise: 1.1 }, () => now);
  // October: gpt-4o-mini on two engines, gpt-4o on one, a dated variant counted as its model; other months and tenants apart.
  await meter.record('acme', call({ engine: 'LANGGRAPH' }));
  await meter.record('acme', call({ engine: 'LANGGRAPH', model: 'gpt-4o-mini-2024-07-18', inputTokens: 2000, cachedTokens: 1024 }));
  await meter.record('acme', call({ engine: 'CREWAI', at: '2026-10-31T23:59:59.999Z' }));
  await meter.record('acme', call({ engine: 'AUTOGEN', model: 'gpt-4o', inputTokens: 333_333, outputTokens: 77_777 }));
  await meter.record('acme', call({ at: '2026-09-30T23:59:59.999Z' }));
  await meter.record('acme', call({ at: '2026-11-01T00:00:00.000Z' }));
  await meter.record('globex', call({ model: 'gpt-4.1', at: '2026-10-10T00:00:00.000Z' }));
  return { store, meter, statements, setNow: (d: Date) => (now = d) };
}

describe('monthly statements', () => {
  it('has a line per model and engine with tokens, cost and the plan\'s markup, and totals that add up', async () => {
    const { statements } = await setup();
    const october = (await statements.statement(viewer('acme'), 'acme', '2026-10'))!;
    expect(october).toMatchObject({ month: '2026-10', status: 'OPEN', plan: 'team', markup: 1.25, currency: 'USD', modelCalls: 4, closedAt: null });
    expect(october.lines.map((l) => [l.model, l.engine, l.modelCalls, l.inputTokens, l.outputTokens, l.cachedTokens])).toEqual([
      ['gpt-4o', 'AUTOGEN', 1, 333_333, 77_777, 0],
      ['gpt-4o-mini', 'CREWAI', 1, 1000, 500, 0],
      ['gpt-4o-mini', 'LANGGRAPH', 2, 3000, 1000, 1024],
    ]);
    // gpt-4o: 333,333 × $2.50/M + 77,777 × $10/M = $1.6111025 → $1.611103 (micro-dollars); × 1.25 = $2.01387813 → $2.013878.
    const fourO = october.lines[0]!;
    expect(fourO.costUsd).toBe(1.611103);
    expect(fourO.amountUsd).toBe(2.013878);
    // Two gpt-4o-mini calls: (1000 + 976) uncached × 0.15 + 1024 cached × 0.075 + 1000 × 0.6 per M = $0.0009732.
    expect(october.lines[2]!.costUsd).toBe(0.000973);
    expect(october.costUsd).toBeCloseTo(october.lines.reduce((s, l) => s + l.costUsd, 0), 9);
    expect(october.amountUsd).toBeCloseTo(october.lines.reduce((s, l) => s + l.amountUsd, 0), 9);
    expect(october.inputTokens).toBe(337_333);
    // Another plan, another markup; another tenant sees nothing.
    expect((await statements.statement(viewer('globex'), 'globex', '2026-10'))!).toMatchObject({ plan: 'enterprise', markup: 1.1, modelCalls: 1 });
    expect(await statements.statement(viewer('globex'), 'acme', '2026-10')).toBeNull();
    await expect(statements.statement(viewer('acme'), 'acme', '2026-13')).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
  });

  it('exports CSV that parses back to the same lines and a TOTAL row equal to their sums, and JSON', async () => {
    const { statements } = await setup();
    const october = (await statements.statement(viewer('acme'), 'acme', '2026-10'))!;
    const rows = parse(october.csv, { columns: true }) as Record<string, string>[];
    const total = rows.pop()!;
    expect(rows.map((r) => [r['model'], r['engine'], Number(r['model_calls'])])).toEqual(october.lines.map((l) => [l.model, l.engine, l.modelCalls]));
    const micros = (column: string, list: Record<string, string>[]) => list.reduce((sum, r) => sum + Math.round(Number(r[column]) * 1e6), 0);
    expect(total).toMatchObject({ model: 'TOTAL', model_calls: '4', input_tokens: '337333', cost_usd: october.costUsd.toFixed(6), amount_usd: october.amountUsd.toFixed(6) });
    expect(micros('cost_usd', rows)).toBe(Math.round(Number(total['cost_usd']) * 1e6));
    expect(micros('amount_usd', rows)).toBe(Math.round(Number(total['amount_usd']) * 1e6));
    expect(rows.every((r) => r['markup'] === '1.25')).toBe(true);
    expect(JSON.parse(october.json)).toMatchObject({ month: '2026-10', amountUsd: october.amountUsd, lines: october.lines });
  });

  it('closes a past month once: closing again gives the same statement, later calls and plan changes do not change it', async () => {
    const plans = { acme: 'team' };
    const { statements, meter, setNow } = await setup(plans);
    await expect(statements.close(viewer('acme'), 'acme', '2026-10')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(statements.close(platform, 'acme', '2026-11')).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    const [first, concurrent] = await Promise.all([statements.close(platform, 'acme', '2026-10'), statements.close(platform, 'acme', '2026-10')]);
    expect(concurrent).toEqual(first);
    expect(first).toMatchObject({ status: 'CLOSED', closedAt: '2026-11-03T00:00:00.000Z', modelCalls: 4 });

    plans.acme = 'enterprise';
    await meter.record('acme', call({ at: '2026-10-20T00:00:00.000Z' }));
    setNow(new Date('2026-12-15T00:00:00Z'));
    const again = await statements.close(platform, 'acme', '2026-10');
    expect(again).toEqual(first);
    expect(await statements.statement(viewer('acme'), 'acme', '2026-10')).toEqual(first);
    expect((await statements.invoices(viewer('acme'), 'acme')).map((s) => s.month)).toEqual(['2026-10']);
    await statements.close(platform, 'acme', '2026-11');
    expect((await statements.invoices(viewer('acme'), 'acme')).map((s) => s.month)).toEqual(['2026-11', '2026-10']);
    // The current month stays a live preview.
    expect((await statements.statement(viewer('acme'), 'acme'))!).toMatchObject({ month: '2026-12', status: 'OPEN', modelCalls: 0 });
    expect(await statements.invoices(viewer('globex'), 'acme')).toEqual([]);
  });
});
