import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SqliteStore } from '@switchyard/store';
import { BudgetLedger, fixedAsk, type ReservationAsk } from './budget-ledger.ts';

const hard = { monthlyLimitUsd: 1, hardLimit: true };
/** A chat call: $0.10 of input at most, $0.001 per output token, asking for 1,000 and needing 64. */
const chat: ReservationAsk = { inputUsd: 0.1, outputTokenUsd: 0.001, maxOutputTokens: 1000, minOutputTokens: 64 };

describe('BudgetLedger', () => {
  it('never lets 200 concurrent calls on two replicas reserve past a hard limit; those that do not fit wait instead of being refused', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'ledger-')), 'billing.db');
    const replicas = [new BudgetLedger(new SqliteStore({ filename: file })), new BudgetLedger(new SqliteStore({ filename: file }))];
    const outcomes = await Promise.all(Array.from({ length: 200 }, (_, i) => replicas[i % 2]!.reserve('acme', `call-${i}`, fixedAsk(0.03), hard)));
    const granted = outcomes.map((o, i) => ({ o, i })).filter(({ o }) => o.outcome === 'granted');
    expect(granted).toHaveLength(33);
    expect(outcomes.filter((o) => o.outcome === 'wait')).toHaveLength(167);
    expect((await replicas[0]!.status('acme')).reservedUsd).toBeCloseTo(0.99, 10);
    // Once they settle at their full cost, nothing is held and nothing is left: now it is a refusal.
    for (const { i } of granted) await replicas[i % 2]!.settle('acme', `call-${i}`, 0.03);
    await expect(replicas[0]!.reserve('acme', 'late', fixedAsk(0.03), hard)).rejects.toMatchObject({ code: 'BUDGET_EXCEEDED', message: expect.stringContaining('$1.0000') });
    expect(await replicas[1]!.status('acme')).toEqual({ settledUsd: expect.closeTo(0.99, 10), reservedUsd: 0 });
  });

  it('grants the output tokens the rest of the budget can buy, down to the minimum, and refuses below it', async () => {
    const ledger = new BudgetLedger(new SqliteStore({ filename: ':memory:' }));
    // $1.10 at most does not fit in $1: 900 output tokens do.
    expect(await ledger.reserve('acme', 'a', chat, hard)).toEqual({ outcome: 'granted', amountUsd: expect.closeTo(1, 10), outputTokens: 900 });
    // Asked again (a retry of the same call), the same grant.
    expect(await ledger.reserve('acme', 'a', chat, hard)).toMatchObject({ outcome: 'granted', outputTokens: 900 });
    // Everything is held by 'a', which will settle for less: wait, do not refuse.
    expect(await ledger.reserve('acme', 'b', chat, hard)).toMatchObject({ outcome: 'wait', retryAfterMs: expect.any(Number) });
    await ledger.settle('acme', 'a', 0.2);
    expect(await ledger.reserve('acme', 'b', chat, hard)).toMatchObject({ outcome: 'granted', outputTokens: 700 });
    await ledger.settle('acme', 'b', 0.76);
    // $0.04 left cannot pay for the input ($0.10), with nothing in flight: refused, naming what it needs.
    await expect(ledger.reserve('acme', 'c', chat, hard)).rejects.toMatchObject({
      code: 'BUDGET_EXCEEDED',
      message: expect.stringMatching(/\$0\.9600 spent and \$0\.0000 reserved by calls in flight; this call needs at least \$0\.1640/),
    });
    // A call that needs only what is left goes ahead with it.
    expect(await ledger.reserve('acme', 'd', { inputUsd: 0.01, outputTokenUsd: 0.0001, maxOutputTokens: 4096, minOutputTokens: 64 }, hard)).toMatchObject({ outcome: 'granted', outputTokens: 300 });
  });

  it("shares a tight budget among calls in flight: each is granted twice the model's recent output, not the whole room", async () => {
    const ledger = new BudgetLedger(new SqliteStore({ filename: ':memory:' }));
    const ask: ReservationAsk = { model: 'gpt-4o-mini', inputUsd: 0.01, outputTokenUsd: 0.001, maxOutputTokens: 4096, minOutputTokens: 64 };
    // Nothing known yet: the first call may use all the room there is.
    expect(await ledger.reserve('acme', 'first', ask, hard)).toMatchObject({ outcome: 'granted', outputTokens: 990 });
    await ledger.settle('acme', 'first', 0.03, new Date(), undefined, { model: 'gpt-4o-mini-2024-07-18', outputTokens: 200 });
    // $0.97 left cannot buy 4,096 tokens: calls get 400 tokens each, the last what remains, then wait.
    const grants = await Promise.all(Array.from({ length: 5 }, (_, i) => ledger.reserve('acme', `c${i}`, ask, hard)));
    expect(grants.map((g) => (g.outcome === 'granted' ? String(g.outputTokens) : g.outcome)).sort()).toEqual(['140', '400', '400', 'wait', 'wait']);
    expect((await ledger.status('acme')).reservedUsd).toBeLessThanOrEqual(0.97 + 1e-12);
  });

  it('gives a tight budget to the oldest workflow waiting first, so runs finish instead of all stopping half-way', async () => {
    const ledger = new BudgetLedger(new SqliteStore({ filename: ':memory:' }));
    const ask = (key: string, priority: number): ReservationAsk => ({ ...chat, model: 'm', queue: { key, priority } });
    expect(await ledger.reserve('acme', 'old-1', ask('old', 1), hard)).toMatchObject({ outcome: 'granted', outputTokens: 900 });
    // Both wait for the room 'old-1' holds; the older workflow registers first or second, it makes no difference.
    expect(await ledger.reserve('acme', 'young-1', ask('young', 2), hard)).toMatchObject({ outcome: 'wait' });
    expect(await ledger.reserve('acme', 'old-2', ask('old', 1), hard)).toMatchObject({ outcome: 'wait' });
    await ledger.settle('acme', 'old-1', 0.2, new Date(), undefined, { model: 'm', outputTokens: 100 });
    // Room again, but the older workflow is waiting: the younger one keeps waiting, the older one goes.
    expect(await ledger.reserve('acme', 'young-1', ask('young', 2), hard)).toMatchObject({ outcome: 'wait' });
    expect(await ledger.reserve('acme', 'old-2', ask('old', 1), hard)).toMatchObject({ outcome: 'granted', outputTokens: 200 });
    // While the older one's call is in flight, and for a moment after it settles (its next call
    // comes right after), the younger one still waits.
    expect(await ledger.reserve('acme', 'young-1', ask('young', 2), hard)).toMatchObject({ outcome: 'wait' });
    await ledger.settle('acme', 'old-2', 0.1, new Date(), undefined, { model: 'm', outputTokens: 100 });
    expect(await ledger.reserve('acme', 'young-1', ask('young', 2), hard)).toMatchObject({ outcome: 'wait' });
    // The older workflow asks no more (it finished): its place lapses and the younger one is served.
    expect(await ledger.reserve('acme', 'young-1', ask('young', 2), hard, new Date(Date.now() + 2000))).toMatchObject({ outcome: 'granted', outputTokens: 200 });
  });

  it('lets a workflow that has begun finish before one that has not, even an older one that asked later', async () => {
    const store = new SqliteStore({ filename: ':memory:' });
    const ledger = new BudgetLedger(store);
    const ask = (key: string, priority: number): ReservationAsk => ({ ...chat, model: 'm', queue: { key, priority } });
    const t0 = Date.now();
    const at = (ms: number) => new Date(t0 + ms);
    // The younger workflow's first call arrives first (its start was handled sooner) and is granted.
    expect(await ledger.reserve('acme', 'young-1', ask('young', 2), hard, at(0))).toMatchObject({ outcome: 'granted' });
    await ledger.settle('acme', 'young-1', 0.2, at(10), undefined, { model: 'm', outputTokens: 100 });
    // The older one has not begun: it waits while the begun one is between calls, and the begun one goes.
    expect(await ledger.reserve('acme', 'old-1', ask('old', 1), hard, at(20))).toMatchObject({ outcome: 'wait', settledUsd: 0.2 });
    expect(await ledger.reserve('acme', 'young-2', ask('young', 2), hard, at(30))).toMatchObject({ outcome: 'granted', outputTokens: 200 });
    // Polling while its place holds writes nothing to the ledger.
    const before = (await store.collection('budget_ledgers').get('acme', `ledger-${at(0).toISOString().slice(0, 7)}`))!.etag;
    expect(await ledger.reserve('acme', 'old-1', ask('old', 1), hard, at(40))).toMatchObject({ outcome: 'wait' });
    expect((await store.collection('budget_ledgers').get('acme', `ledger-${at(0).toISOString().slice(0, 7)}`))!.etag).toBe(before);
    await ledger.settle('acme', 'young-2', 0.1, at(50), undefined, { model: 'm', outputTokens: 100 });
    // The begun workflow asks no more (it finished): once its place lapses, the older one is served.
    expect(await ledger.reserve('acme', 'old-1', ask('old', 1), hard, at(2000))).toMatchObject({ outcome: 'granted', outputTokens: 200 });
    // Among begun workflows the older goes first: the younger, back from a long pause, waits for it.
    expect(await ledger.reserve('acme', 'young-3', ask('young', 2), hard, at(2100))).toMatchObject({ outcome: 'wait' });
  });

  it('settles to the real cost once, however often settle is called, which frees the rest of the reservation', async () => {
    const ledger = new BudgetLedger(new SqliteStore({ filename: ':memory:' }));
    await ledger.reserve('acme', 'a', fixedAsk(0.9), hard);
    expect(await ledger.reserve('acme', 'b', fixedAsk(0.2), hard)).toMatchObject({ outcome: 'wait' });
    await ledger.settle('acme', 'a', 0.1);
    await ledger.settle('acme', 'a', 0.1);
    expect(await ledger.status('acme')).toEqual({ settledUsd: 0.1, reservedUsd: 0 });
    expect(await ledger.reserve('acme', 'b', fixedAsk(0.2), hard)).toMatchObject({ outcome: 'granted', amountUsd: 0.2 });
    // A retried reservation of the same call does not reserve twice.
    await ledger.reserve('acme', 'b', fixedAsk(0.2), hard);
    expect((await ledger.status('acme')).reservedUsd).toBeCloseTo(0.2, 10);
    // Released (the call will not run), it holds nothing and counts nothing.
    await ledger.release('acme', 'b');
    expect(await ledger.status('acme')).toEqual({ settledUsd: 0.1, reservedUsd: 0 });
  });

  it('lets a reservation that is never settled (a crash) expire instead of blocking the tenant', async () => {
    const ledger = new BudgetLedger(new SqliteStore({ filename: ':memory:' }), 1000);
    const t0 = new Date('2026-11-10T00:00:00Z');
    await ledger.reserve('acme', 'crashed', fixedAsk(0.95), hard, t0);
    expect(await ledger.reserve('acme', 'next', fixedAsk(0.1), hard, new Date(t0.getTime() + 500))).toMatchObject({ outcome: 'wait' });
    expect(await ledger.reserve('acme', 'next', fixedAsk(0.1), hard, new Date(t0.getTime() + 1500))).toMatchObject({ outcome: 'granted' });
  });

  it('keeps settled ids only as long as a settlement can be sent again, so the document does not grow with the month', async () => {
    const store = new SqliteStore({ filename: ':memory:' });
    const ledger = new BudgetLedger(store, 1000, 1000);
    const t0 = new Date('2026-11-10T00:00:00Z');
    for (let i = 0; i < 50; i++) await ledger.settle('acme', `call-${i}`, 0.001, new Date(t0.getTime() + i));
    // A repeated settlement inside the window counts once.
    await ledger.settle('acme', 'call-0', 0.001, new Date(t0.getTime() + 500));
    expect((await ledger.status('acme', t0)).settledUsd).toBeCloseTo(0.05, 10);
    await ledger.settle('acme', 'later', 0.001, new Date(t0.getTime() + 5000));
    const stored = await store.collection<{ id: string; tenantId: string; settled: Record<string, number> }>('budget_ledgers').get('acme', 'ledger-2026-11');
    expect(Object.keys(stored!.doc.settled)).toEqual(['later']);
    expect((await ledger.status('acme', t0)).settledUsd).toBeCloseTo(0.051, 10);
  });

  it('does not refuse without a hard limit, and keeps tenants apart', async () => {
    const ledger = new BudgetLedger(new SqliteStore({ filename: ':memory:' }));
    expect(await ledger.reserve('acme', 'a', fixedAsk(5), { monthlyLimitUsd: 1, hardLimit: false })).toMatchObject({ outcome: 'granted', amountUsd: 5 });
    await ledger.reserve('globex', 'a', fixedAsk(0.5), hard);
    expect((await ledger.status('globex')).reservedUsd).toBe(0.5);
  });

  it("keeps an API key's ledger apart from its tenant's, and names the key's budget when it refuses", async () => {
    const ledger = new BudgetLedger(new SqliteStore({ filename: ':memory:' }));
    const key = { kind: 'apiKey', keyId: 'key-1' } as const;
    const limit = { monthlyLimitUsd: 0.2, hardLimit: true };
    const now = new Date();
    await ledger.reserve('acme', 'a', fixedAsk(0.15), limit, now, key);
    await ledger.settle('acme', 'a', 0.15, now, key);
    await expect(ledger.reserve('acme', 'b', fixedAsk(0.1), limit, now, key)).rejects.toMatchObject({
      code: 'BUDGET_EXCEEDED',
      message: expect.stringContaining('The monthly budget of API key key-1 of $0.2000 would be exceeded'),
    });
    // The tenant's ledger is untouched by the key's reservations, and another key has its own.
    expect(await ledger.status('acme')).toEqual({ settledUsd: 0, reservedUsd: 0 });
    await ledger.reserve('acme', 'b', fixedAsk(0.1), limit, now, { kind: 'apiKey', keyId: 'key-2' });
    // A grant another ledger cut down is shrunk to match, never raised.
    await ledger.reserve('acme', 'c', chat, { monthlyLimitUsd: 10, hardLimit: true }, now, { kind: 'apiKey', keyId: 'key-3' });
    await ledger.shrink('acme', 'c', chat, 100, now, { kind: 'apiKey', keyId: 'key-3' });
    await ledger.shrink('acme', 'c', chat, 500, now, { kind: 'apiKey', keyId: 'key-3' });
    expect((await ledger.status('acme', now, { kind: 'apiKey', keyId: 'key-3' })).reservedUsd).toBeCloseTo(0.2, 10);
  });
});
