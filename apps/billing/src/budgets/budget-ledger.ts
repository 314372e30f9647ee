import { ErrorCode, PreconditionFailedError, ConflictError, SwitchyardError } from '@switchyard/contracts';
import type { Collection, DocumentStore } from '@switchyard/store';

interface LedgerDoc {
  id: string;
  tenantId: string;
  settledUsd: number;
  reservations: Record<string, { amountUsd: number; expiresAt: number }>;
  settled: Record<string, true>;
}

export interface BudgetLimit {
  monthlyLimitUsd: number;
  hardLimit: boolean;
}

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

const money = (usd: number) => `$${usd.toFixed(4)}`;

/**
 * A tenant's month of spend: what settled and what is reserved by calls in flight, in one document
 * changed only by conditional writes. A call reserves its largest possible cost first and goes
 * ahead only if that still fits under a hard limit, so concurrent calls on any number of replicas
 * can never together pass it (no check-then-increment race); a reservation nobody settles (the
 * caller crashed) expires instead of blocking the tenant. An API key with its own budget has its own
 * ledger in the tenant's partition, changed the same way.
 */
export class BudgetLedger {
  private readonly ledgers: Collection<LedgerDoc>;
  constructor(
    store: DocumentStore,
    private readonly reservationTtlMs = 10 * 60_000,
  ) {
    this.ledgers = store.collection<LedgerDoc>('budget_ledgers');
  }

  async reserve(tenantId: string, reservationId: string, amountUsd: number, limit: BudgetLimit | null, now = new Date(), scope: LedgerScope = TENANT_SCOPE): Promise<{ reservedUsd: number }> {
    return this.change(tenantId, now, scope, (ledger) => {
      const active = pruned(ledger, now.getTime());
      if (active.reservations[reservationId] || active.settled[reservationId]) return active;
      const committed = active.settledUsd + Object.values(active.reservations).reduce((sum, r) => sum + r.amountUsd, 0);
      if (limit?.hardLimit && committed + amountUsd > limit.monthlyLimitUsd + 1e-12) {
        throw new SwitchyardError(
          ErrorCode.BUDGET_EXCEEDED,
          `${whose(scope)} of ${money(limit.monthlyLimitUsd)} would be exceeded: ${money(active.settledUsd)} spent and ${money(committed - active.settledUsd)} reserved by calls in flight; this call may cost up to ${money(amountUsd)}. Raise the budget (${scope.kind === 'tenant' ? 'setBudget' : 'setApiKeyBudget'}) or wait for next month.`,
          { limitUsd: limit.monthlyLimitUsd, spentUsd: active.settledUsd },
        );
      }
      active.reservations[reservationId] = { amountUsd, expiresAt: now.getTime() + this.reservationTtlMs };
      return active;
    }).then((ledger) => ({ reservedUsd: ledger.reservations[reservationId]?.amountUsd ?? 0 }));
  }

  /** Replace a reservation by the call's real cost; settling the same reservation again changes nothing. */
  async settle(tenantId: string, reservationId: string, actualUsd: number, now = new Date(), scope: LedgerScope = TENANT_SCOPE): Promise<void> {
    await this.change(tenantId, now, scope, (ledger) => {
      const active = pruned(ledger, now.getTime());
      if (active.settled[reservationId]) return active;
      delete active.reservations[reservationId];
      active.settled[reservationId] = true;
      active.settledUsd += actualUsd;
      return active;
    });
  }

  async status(tenantId: string, now = new Date(), scope: LedgerScope = TENANT_SCOPE): Promise<{ settledUsd: number; reservedUsd: number }> {
    const stored = await this.ledgers.get(tenantId, monthId(now, scope));
    if (!stored) return { settledUsd: 0, reservedUsd: 0 };
    const active = pruned(stored.doc, now.getTime());
    return { settledUsd: active.settledUsd, reservedUsd: Object.values(active.reservations).reduce((sum, r) => sum + r.amountUsd, 0) };
  }

  private async change(tenantId: string, now: Date, scope: LedgerScope, apply: (ledger: LedgerDoc) => LedgerDoc): Promise<LedgerDoc> {
    const id = monthId(now, scope);
    for (let attempt = 0; attempt < 500; attempt++) {
      const stored = await this.ledgers.get(tenantId, id);
      const current: LedgerDoc = stored?.doc ?? { id, tenantId, settledUsd: 0, reservations: {}, settled: {} };
      const next = apply(structuredClone(current));
      try {
        if (stored) await this.ledgers.replace(next, { ifMatch: stored.etag });
        else await this.ledgers.create(next);
        return next;
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
  return ledger;
}
