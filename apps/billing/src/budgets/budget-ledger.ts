import { ErrorCode, PreconditionFailedError, ConflictError, SwitchyardError } from '@switchyard/contracts';
import type { Collection, DocumentStore } from '@switchyard/store';

interface Reservation {
  amountUsd: number;
  /** The output tokens the call was granted (its max_tokens), for a retried reservation of the same call. */
  outputTokens?: number;
  /** The model it was asked for (a provider may answer with a dated name of it). */
  model?: string;
  /** The workflow it is for, when it was granted on a tight budget (see LedgerDoc.waiters). */
  queueKey?: string;
  queuePriority?: number;
  expiresAt: number;
}

interface LedgerDoc {
  id: string;
  tenantId: string;
  settledUsd: number;
  reservations: Record<string, Reservation>;
  /**
   * Settled reservation ids, each kept until the time given (older documents hold `true`), so a
   * settlement sent again is not counted twice; they are dropped after that, which keeps the
   * document's size to the calls of the last few minutes instead of the whole month's.
   */
  settled: Record<string, number | true>;
  /**
   * Per model, the output tokens calls have been using lately: a maximum that follows a new high at
   * once and decays slowly. A tight budget grants a call up to twice this rather than its whole
   * max_tokens, so the last of the budget is shared by the calls in flight instead of held by one.
   */
  typicalOutput?: Record<string, number>;
  /**
   * Workflows in line for a hard budget, by workflow id: its start time (older goes first), until
   * when the entry holds its place (while its calls wait, and for a moment after each of its calls
   * settles, so another workflow does not take the room in the gap between two calls), and until
   * when it counts as begun (it has been granted a call lately). When the budget is tight, a begun
   * workflow goes before one that has not begun, however old: the last of a budget finishes the
   * runs it has paid for part of instead of starting new ones it cannot finish.
   */
  waiters?: Record<string, Waiter>;
}

interface Waiter {
  priority: number;
  expiresAt: number;
  begunUntil?: number;
}

export interface BudgetLimit {
  monthlyLimitUsd: number;
  hardLimit: boolean;
}

/**
 * What a model call asks to reserve: the most its input can cost, what each output token costs, and
 * how many output tokens it wants (its max_tokens) and needs at least to be of use.
 */
export interface ReservationAsk {
  /** The model, whose recent output sizes bound a grant when the budget is tight. */
  model?: string;
  inputUsd: number;
  outputTokenUsd: number;
  maxOutputTokens: number;
  minOutputTokens: number;
  /**
   * Who asks, for the order in which a tight budget is given out: the workflow, and its start time
   * (ms). The oldest workflow waiting goes first, so the last of a budget finishes runs instead of
   * taking every run a step further.
   */
  queue?: { key: string; priority: number };
}

export type ReservationOutcome =
  /** Reserved: the call may go ahead with at most `outputTokens` output tokens. */
  | { outcome: 'granted'; amountUsd: number; outputTokens: number }
  /**
   * Does not fit now, but would once calls in flight settle: ask again after `retryAfterMs`.
   * `settledUsd` lets a waiting caller see the budget move (calls ahead of it finishing).
   */
  | { outcome: 'wait'; retryAfterMs: number; reservedUsd: number; settledUsd: number };

/** Whose spend a ledger holds: the tenant's, or one API key's within the tenant. */
export type LedgerScope = { kind: 'tenant' } | { kind: 'apiKey'; keyId: string };
export const TENANT_SCOPE: LedgerScope = { kind: 'tenant' };

function monthId(now: Date, scope: LedgerScope): string {
  const month = `${now.getUTCFullYear()}-${String(now.getUTCMonth() + 1).padStart(2, '0')}`;
  return scope.kind === 'tenant' ? `ledger-${month}` : `ledger-key-${scope.keyId}-${month}`;
}

function whose(scope: LedgerScope): string {
  return scope.kind === 'tenant' ? "The tenant's monthly budget" : `The monthly budget of API key ${scope.keyId}`;
}

/** Dollars to 4 places, or to 2 significant digits for amounts below a cent (a tiny test budget). */
const money = (usd: number) => `$${usd === 0 || Math.abs(usd) >= 0.01 ? usd.toFixed(4) : usd.toPrecision(2)}`;
const EPSILON = 1e-12;

/** A fixed-cost ask (no output tokens to size), as an embedding call or a test makes. */
export const fixedAsk = (amountUsd: number): ReservationAsk => ({ inputUsd: amountUsd, outputTokenUsd: 0, maxOutputTokens: 0, minOutputTokens: 0 });

/**
 * A tenant's month of spend: what settled and what is reserved by calls in flight, in one document
 * changed only by conditional writes. A call reserves the most it can cost before it runs and goes
 * ahead only if that fits under a hard limit, so concurrent calls on any number of replicas can
 * never together pass it (no check-then-increment race).
 *
 * The last of a budget stays usable: when the call's full max_tokens no longer fits, it is granted
 * the output tokens the room left can buy (its max_tokens is lowered to that), down to the minimum
 * it needs; when even that does not fit only because other calls in flight hold the room, it is told
 * to wait for them rather than refused. A call is refused only when what is settled leaves no room
 * for it. A reservation nobody settles (the caller crashed) expires instead of blocking the tenant.
 * An API key with its own budget has its own ledger in the tenant's partition, changed the same way.
 */
export class BudgetLedger {
  private readonly ledgers: Collection<LedgerDoc>;
  constructor(
    store: DocumentStore,
    private readonly reservationTtlMs = 10 * 60_000,
    private readonly settledKeepMs = 15 * 60_000,
    private readonly waiterTtlMs = 5000,
    private readonly holdAfterSettleMs = 1500,
    private readonly begunTtlMs = 60_000,
  ) {
    this.ledgers = store.collection<LedgerDoc>('budget_ledgers');
  }

  /**
   * Reserve a call's cost under `limit` (no limit, or a soft one: the whole ask, never refused).
   * Throws BUDGET_EXCEEDED when the settled spend leaves no room for the call's minimum.
   * Reserving the same id again returns what it was granted the first time.
   */
  async reserve(tenantId: string, reservationId: string, ask: ReservationAsk, limit: BudgetLimit | null, now = new Date(), scope: LedgerScope = TENANT_SCOPE): Promise<ReservationOutcome> {
    let outcome: ReservationOutcome | null = null;
    await this.change(tenantId, now, scope, (ledger) => {
      const active = pruned(ledger, now.getTime());
      const existing = active.reservations[reservationId];
      if (existing) {
        outcome = { outcome: 'granted', amountUsd: existing.amountUsd, outputTokens: existing.outputTokens ?? ask.maxOutputTokens };
        return null;
      }
      if (active.settled[reservationId]) {
        // Settled already: a late retry of a finished call holds nothing.
        outcome = { outcome: 'granted', amountUsd: 0, outputTokens: 0 };
        return null;
      }
      const reservedUsd = Object.values(active.reservations).reduce((sum, r) => sum + r.amountUsd, 0);
      const full = ask.inputUsd + ask.maxOutputTokens * ask.outputTokenUsd;
      let outputTokens = ask.maxOutputTokens;
      const queue = limit?.hardLimit ? ask.queue : undefined;
      const nowMs = now.getTime();
      const wait = (): LedgerDoc | null => {
        outcome = { outcome: 'wait', retryAfterMs: 100, reservedUsd, settledUsd: active.settledUsd };
        if (!queue) return null;
        const mine = active.waiters?.[queue.key];
        // Asking again while its place still holds for a while writes nothing: waiting callers poll,
        // and a write each time would make the ledger a point of contention for the calls that run.
        if (mine && mine.priority === queue.priority && mine.expiresAt - nowMs > this.waiterTtlMs / 2) return null;
        active.waiters = { ...active.waiters, [queue.key]: { ...mine, priority: queue.priority, expiresAt: nowMs + this.waiterTtlMs } };
        return active;
      };
      if (limit?.hardLimit) {
        const room = limit.monthlyLimitUsd - active.settledUsd - reservedUsd;
        if (full > room + EPSILON) {
          const affordable = ask.outputTokenUsd > 0 ? Math.floor((room - ask.inputUsd + EPSILON) / ask.outputTokenUsd) : room + EPSILON >= ask.inputUsd ? ask.maxOutputTokens : -1;
          const minimum = ask.inputUsd + ask.minOutputTokens * ask.outputTokenUsd;
          if (queue && active.settledUsd + minimum <= limit.monthlyLimitUsd + EPSILON && aheadInLine(active, queue, nowMs)) return wait();
          if (affordable >= ask.minOutputTokens && affordable >= 0) {
            const typical = ask.model ? active.typicalOutput?.[ask.model] : undefined;
            const share = typical === undefined ? affordable : Math.max(ask.minOutputTokens, Math.ceil(2 * typical));
            outputTokens = Math.min(ask.maxOutputTokens, affordable, share);
          } else {
            if (reservedUsd > 0 && active.settledUsd + minimum <= limit.monthlyLimitUsd + EPSILON) return wait();
            throw new SwitchyardError(
              ErrorCode.BUDGET_EXCEEDED,
              `${whose(scope)} of ${money(limit.monthlyLimitUsd)} would be exceeded: ${money(active.settledUsd)} spent and ${money(reservedUsd)} reserved by calls in flight; this call needs at least ${money(minimum)}. Raise the budget (${scope.kind === 'tenant' ? 'setBudget' : 'setApiKeyBudget'}) or wait for next month.`,
              { limitUsd: limit.monthlyLimitUsd, spentUsd: active.settledUsd },
            );
          }
        }
      }
      const amountUsd = ask.inputUsd + outputTokens * ask.outputTokenUsd;
      if (queue) {
        // Granted: the reservation holds its place now, and the workflow counts as begun.
        active.waiters = { ...active.waiters, [queue.key]: { priority: queue.priority, expiresAt: nowMs, begunUntil: nowMs + this.begunTtlMs } };
      }
      active.reservations[reservationId] = {
        amountUsd,
        outputTokens,
        ...(ask.model ? { model: ask.model } : {}),
        ...(queue ? { queueKey: queue.key, queuePriority: queue.priority } : {}),
        expiresAt: nowMs + this.reservationTtlMs,
      };
      outcome = { outcome: 'granted', amountUsd, outputTokens };
      return active;
    });
    return outcome!;
  }

  /**
   * Lower a reservation to `outputTokens` (another ledger granted the call less). Never raises one.
   */
  async shrink(tenantId: string, reservationId: string, ask: ReservationAsk, outputTokens: number, now = new Date(), scope: LedgerScope = TENANT_SCOPE): Promise<void> {
    await this.change(tenantId, now, scope, (ledger) => {
      const active = pruned(ledger, now.getTime());
      const existing = active.reservations[reservationId];
      const amountUsd = ask.inputUsd + outputTokens * ask.outputTokenUsd;
      if (!existing || existing.amountUsd <= amountUsd) return null;
      active.reservations[reservationId] = { ...existing, amountUsd, outputTokens };
      return active;
    });
  }

  /** Drop a reservation without settling it (the call will not run, or will ask again). */
  async release(tenantId: string, reservationId: string, now = new Date(), scope: LedgerScope = TENANT_SCOPE): Promise<void> {
    await this.change(tenantId, now, scope, (ledger) => {
      if (!ledger.reservations[reservationId]) return null;
      const active = pruned(ledger, now.getTime());
      delete active.reservations[reservationId];
      return active;
    });
  }

  /** Replace a reservation by the call's real cost; settling the same reservation again changes nothing. */
  async settle(
    tenantId: string,
    reservationId: string,
    actualUsd: number,
    now = new Date(),
    scope: LedgerScope = TENANT_SCOPE,
    observed?: { model: string; outputTokens: number },
  ): Promise<void> {
    await this.change(tenantId, now, scope, (ledger) => {
      const active = pruned(ledger, now.getTime());
      if (active.settled[reservationId]) return null;
      const reservation = active.reservations[reservationId];
      const model = reservation?.model ?? observed?.model;
      delete active.reservations[reservationId];
      // Still in line for a moment: its next call comes right after this one.
      if (reservation?.queueKey && reservation.queuePriority !== undefined) {
        active.waiters = {
          ...active.waiters,
          [reservation.queueKey]: { priority: reservation.queuePriority, expiresAt: now.getTime() + this.holdAfterSettleMs, begunUntil: now.getTime() + this.begunTtlMs },
        };
      }
      active.settled[reservationId] = now.getTime() + this.settledKeepMs;
      active.settledUsd += actualUsd;
      if (model && observed && observed.outputTokens > 0) {
        const previous = active.typicalOutput?.[model] ?? 0;
        active.typicalOutput = { ...active.typicalOutput, [model]: Math.max(observed.outputTokens, 0.95 * previous + 0.05 * observed.outputTokens) };
      }
      return active;
    });
  }

  async status(tenantId: string, now = new Date(), scope: LedgerScope = TENANT_SCOPE): Promise<{ settledUsd: number; reservedUsd: number }> {
    const stored = await this.ledgers.get(tenantId, monthId(now, scope));
    if (!stored) return { settledUsd: 0, reservedUsd: 0 };
    const active = pruned(stored.doc, now.getTime());
    return { settledUsd: active.settledUsd, reservedUsd: Object.values(active.reservations).reduce((sum, r) => sum + r.amountUsd, 0) };
  }

  /** Apply `apply` to the month's ledger with a conditional write; `apply` returns null to change nothing. */
  private async change(tenantId: string, now: Date, scope: LedgerScope, apply: (ledger: LedgerDoc) => LedgerDoc | null): Promise<void> {
    const id = monthId(now, scope);
    for (let attempt = 0; attempt < 500; attempt++) {
      const stored = await this.ledgers.get(tenantId, id);
      const current: LedgerDoc = stored?.doc ?? { id, tenantId, settledUsd: 0, reservations: {}, settled: {} };
      const next = apply(structuredClone(current));
      if (!next) return;
      try {
        if (stored) await this.ledgers.replace(next, { ifMatch: stored.etag });
        else await this.ledgers.create(next);
        return;
      } catch (error) {
        if (!(error instanceof PreconditionFailedError) && !(error instanceof ConflictError)) throw error;
        // Another call changed the ledger first: read it again and retry.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(50, attempt * 2)));
      }
    }
    throw new SwitchyardError(ErrorCode.UNAVAILABLE, 'The budget ledger is too busy; retry the call.');
  }
}

function pruned(ledger: LedgerDoc, nowMs: number): LedgerDoc {
  for (const [id, reservation] of Object.entries(ledger.reservations)) {
    if (reservation.expiresAt <= nowMs) delete ledger.reservations[id];
  }
  for (const [id, keepUntil] of Object.entries(ledger.settled)) {
    // An id from before settled ids had an expiry is kept one more period from now.
    if (keepUntil === true) ledger.settled[id] = nowMs + 15 * 60_000;
    else if (keepUntil <= nowMs) delete ledger.settled[id];
  }
  for (const [key, waiter] of Object.entries(ledger.waiters ?? {})) {
    if (waiter.expiresAt <= nowMs && (waiter.begunUntil ?? 0) <= nowMs) delete ledger.waiters![key];
  }
  return ledger;
}

/**
 * Whether another workflow goes before `queue` on a tight budget. Present are the workflows with a
 * call in flight or a place that still holds (waiting, or just settled); a begun one (granted a call
 * lately) goes before one that has not begun, and among equals the older (then the smaller id).
 */
function aheadInLine(ledger: LedgerDoc, queue: { key: string; priority: number }, nowMs: number): boolean {
  const inFlight = new Map<string, number>();
  for (const r of Object.values(ledger.reservations)) {
    if (r.queueKey !== undefined && r.queuePriority !== undefined) inFlight.set(r.queueKey, r.queuePriority);
  }
  const begun = (key: string) => inFlight.has(key) || (ledger.waiters?.[key]?.begunUntil ?? 0) > nowMs;
  const before = (a: { key: string; priority: number }, b: { key: string; priority: number }) => a.priority < b.priority || (a.priority === b.priority && a.key < b.key);
  const meBegun = begun(queue.key);
  const present = new Map(inFlight);
  for (const [key, waiter] of Object.entries(ledger.waiters ?? {})) {
    if (waiter.expiresAt > nowMs && !present.has(key)) present.set(key, waiter.priority);
  }
  for (const [key, priority] of present) {
    if (key === queue.key) continue;
    const otherBegun = begun(key);
    if (otherBegun && !meBegun) return true;
    if (otherBegun === meBegun && before({ key, priority }, queue)) return true;
  }
  return false;
}
