import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SqliteStore } from '@switchyard/store';
import { BudgetLedger } from './budget-ledger.ts';

const hard = { monthlyLimitUsd: 1, hardLimit: true };

describe('BudgetLedger', () => {
  it('never lets 200 concurrent calls on two replicas reserve past a hard limit (no check-then-increment race)', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'ledger-')), 'billing.db');
    const replicas = [new BudgetLedger(new SqliteStore({ filename: file })), new BudgetLedger(new SqliteStore({ filename: file }))];
    const results = await Promise.allSettled(Array.from({ length: 200 }, (_, i) => replicas[i % 2]!.reserve('acme', `call-${i}`, 0.03, hard)));
    const granted = results.filter((r) => r.status === 'fulfilled').length;
    expect(granted).toBe(33);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toMatchObject({ code: 'BUDGET_EXCEEDED', message: expect.stringContaining('$1.0000') });
    const status = await replicas[0]!.status('acme');
    expect(status.reservedUsd).toBeCloseTo(0.99, 10);
  });

  it('settles to the real cost once, however often settle is called, which frees the rest of the reservation', async () => {
    const ledger = new BudgetLedger(new SqliteStore({ filename: ':memory:' }));
    await ledger.reserve('acme', 'a', 0.9, hard);
    await expect(ledger.reserve('acme', 'b', 0.2, hard)).rejects.toMatchObject({ code: 'BUDGET_EXCEEDED' });
    await ledger.settle('acme', 'a', 0.1);
    await ledger.settle('acme', 'a', 0.1);
    expect(await ledger.status('acme')).toEqual({ settledUsd: 0.1, reservedUsd: 0 });
    await expect(ledger.reserve('acme', 'b', 0.2, hard)).resolves.toBeDefined();
    // A retried reservation of the same call does not reserve twice.
    await ledger.reserve('acme', 'b', 0.2, hard);
    expect((await ledger.status('acme')).reservedUsd).toBeCloseTo(0.2, 10);
  });

  it('lets a reservation that is never settled (a crash) expire instead of blocking the tenant', async () => {
    const ledger = new BudgetLedger(new SqliteStore({ filename: ':memory:' }), 1000);
    const t0 = new Date('2026-11-10T00:00:00Z');
    await ledger.reserve('acme', 'crashed', 0.95, hard, t0);
    await expect(ledger.reserve('acme', 'next', 0.1, hard, new Date(t0.getTime() + 500))).rejects.toMatchObject({ code: 'BUDGET_EXCEEDED' });
    await expect(ledger.reserve('acme', 'next', 0.1, hard, new Date(t0.getTime() + 1500))).resolves.toBeDefined();
  });

  it('does not refuse without a hard limit, and keeps tenants apart', async () => {
    const ledger = new BudgetLedger(new SqliteStore({ filename: ':memory:' }));
    await ledger.reserve('acme', 'a', 5, { monthlyLimitUsd: 1, hardLimit: false });
    await ledger.reserve('globex', 'a', 0.5, hard);
    expect((await ledger.status('globex')).reservedUsd).toBe(0.5);
  });

  it("keeps an API key's ledger apart from its tenant's, and names the key's budget when it refuses", async () => {
    const ledger = new BudgetLedger(new SqliteStore({ filename: ':memory:' }));
    const key = { kind: 'apiKey', keyId: 'key-1' } as const;
    const now = new Date();
    await ledger.reserve('acme', 'a', 0.15, { monthlyLimitUsd: 0.2, hardLimit: true }, now, key);
    await expect(ledger.reserve('acme', 'b', 0.1, { monthlyLimitUsd: 0.2, hardLimit: true }, now, key)).rejects.toMatchObject({
      code: 'BUDGET_EXCEEDED',
      message: expect.stringContaining('The monthly budget of API key key-1 of $0.2000 would be exceeded'),
    });
    // The tenant's ledger is untouched by the key's reservations, and another key has its own.
    expect(await ledger.status('acme')).toEqual({ settledUsd: 0, reservedUsd: 0 });
    await ledger.reserve('acme', 'b', 0.1, { monthlyLimitUsd: 0.2, hardLimit: true }, now, { kind: 'apiKey', keyId: 'key-2' });
    await ledger.settle('acme', 'a', 0.05, now, key);
    expect(await ledger.status('acme', now, key)).toEqual({ settledUsd: 0.05, reservedUsd: 0 });
  });
});
