import { ErrorCode, SwitchyardError } from '@switchyard/contracts';
import type { Collection, DocumentStore } from '@switchyard/store';

interface CounterDoc {
  id: string;
  tenantId: string;
  count: number;
}

export interface Quotas {
  runsPerMonth: number;
  concurrentWorkflows: number;
  /** The tenant's plan the quotas come from, for the refusal's message. */
  plan?: string;
}

function monthKey(now: Date): string {
  return `runs-${now.getUTCFullYear()}-${String(now.getUTCMonth() + 1).padStart(2, '0')}`;
}

function secondsUntilNextMonth(now: Date): number {
  const next = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1);
  return Math.ceil((next - now.getTime()) / 1000);
}

/**
 * Per-tenant quotas on starting workflows: runs per calendar month (an atomic counter, so
 * concurrent starts cannot overshoot) and workflows queued or running at once.
 */
export class QuotaGuard {
  private readonly counters: Collection<CounterDoc>;
  constructor(
    store: DocumentStore,
    private readonly quotas: Quotas | ((tenantId: string) => Promise<Quotas>),
    private readonly activeCount: (tenantId: string) => Promise<number>,
  ) {
    this.counters = store.collection<CounterDoc>('quota_counters');
  }

  /** Take one run of this month's quota, or refuse with QUOTA_EXCEEDED and when to retry. */
  async admit(tenantId: string, now = new Date()): Promise<{ release(): Promise<void> }> {
    const quotas = typeof this.quotas === 'function' ? await this.quotas(tenantId) : this.quotas;
    const plan = quotas.plan ? { plan: quotas.plan } : {};
    const more = quotas.plan ? ` (${quotas.plan} plan; a larger plan or limit comes from your platform admin)` : '';
    const active = await this.activeCount(tenantId);
    if (active >= quotas.concurrentWorkflows) {
      throw new SwitchyardError(
        ErrorCode.QUOTA_EXCEEDED,
        `This tenant already has ${active} workflows queued or running, its limit of ${quotas.concurrentWorkflows}${more}; wait for one to finish or cancel one.`,
        { retryAfter: 5, quota: 'concurrentWorkflows', limit: quotas.concurrentWorkflows, ...plan },
      );
    }
    const key = monthKey(now);
    const used = await this.counters.increment(tenantId, key, 'count', 1);
    if (used > quotas.runsPerMonth) {
      await this.counters.increment(tenantId, key, 'count', -1);
      throw new SwitchyardError(
        ErrorCode.QUOTA_EXCEEDED,
        `This tenant has used its ${quotas.runsPerMonth} workflow runs for this month${more}; the quota renews on the 1st (UTC).`,
        { retryAfter: secondsUntilNextMonth(now), quota: 'runsPerMonth', limit: quotas.runsPerMonth, ...plan },
      );
    }
    return { release: async () => void (await this.counters.increment(tenantId, key, 'count', -1)) };
  }
}
