import { BadUserInputError, ConflictError, type TenantContext } from '@switchyard/contracts';
import type { Collection, DocumentStore } from '@switchyard/store';
import { requireRole } from '@switchyard/service-kit';
import type { BudgetManager } from './budget-manager.ts';
import type { Outbox } from './webhook-dispatcher.ts';

export type DeliveryState = 'NO_WEBHOOK' | 'PENDING' | 'DELIVERED' | 'FAILED';

export interface AlertDoc {
  /** `alert-<YYYY-MM>-<percent>`: one per month and threshold, by construction. */
  id: string;
  tenantId: string;
  month: string;
  thresholdPercent: number;
  limitUsd: number;
  spentUsd: number;
  at: string;
  deliveryState: DeliveryState;
  attempts: number;
  lastError: string | null;
  deliveredAt: string | null;
  /** Epoch ms of the next delivery attempt (also how long a sender's claim on a PENDING alert lasts). */
  nextAttemptAt: number;
}

export function alertCollection(store: DocumentStore): Collection<AlertDoc> {
  return store.collection<AlertDoc>('budget_alerts', { indexes: ['month', 'at', 'deliveryState', 'nextAttemptAt'] });
}

/** Budget alerts as the webhook dispatcher delivers them (type `budget.threshold_crossed`). */
export function budgetAlertOutbox(store: DocumentStore): Outbox<AlertDoc> {
  return {
    kind: 'alert',
    collection: alertCollection(store),
    body: (alert) => ({
      type: 'budget.threshold_crossed',
      id: alert.id,
      tenantId: alert.tenantId,
      month: alert.month,
      thresholdPercent: alert.thresholdPercent,
      limitUsd: alert.limitUsd,
      spentUsd: alert.spentUsd,
      at: alert.at,
    }),
  };
}

/**
 * Soft thresholds of a tenant's monthly budget. After each recorded call the month's spend is
 * compared with every threshold; a crossed one is recorded by a conditional create of its
 * month-and-threshold document, so it fires once per month however many calls, replicas or retries
 * see it crossed. The record is stored before any delivery, so a failing webhook loses nothing.
 */
export class BudgetAlerts {
  private readonly alerts: Collection<AlertDoc>;
  constructor(
    store: DocumentStore,
    private readonly budgets: BudgetManager,
    private readonly onRaised: (alert: AlertDoc) => void = () => undefined,
  ) {
    this.alerts = alertCollection(store);
  }

  /** Record the thresholds the month's spend has reached; returns the alerts raised by this call. */
  async check(tenantId: string, month: string, spentUsd: number, now = new Date()): Promise<AlertDoc[]> {
    const budget = await this.budgets.settingsOf(tenantId);
    if (!budget || budget.monthlyLimitUsd <= 0) return [];
    const raised: AlertDoc[] = [];
    for (const percent of budget.thresholds) {
      if (spentUsd + 1e-12 < (budget.monthlyLimitUsd * percent) / 100) continue;
      const alert: AlertDoc = {
        id: `alert-${month}-${percent}`,
        tenantId,
        month,
        thresholdPercent: percent,
        limitUsd: budget.monthlyLimitUsd,
        spentUsd: Math.round(spentUsd * 1e8) / 1e8,
        at: now.toISOString(),
        deliveryState: budget.webhookUrl ? 'PENDING' : 'NO_WEBHOOK',
        attempts: 0,
        lastError: null,
        deliveredAt: null,
        nextAttemptAt: now.getTime(),
      };
      try {
        await this.alerts.create(alert);
      } catch (error) {
        if (error instanceof ConflictError) continue;
        throw error;
      }
      raised.push(alert);
      this.onRaised(alert);
    }
    return raised;
  }

  async list(context: TenantContext, tenantId: string, month?: string | null) {
    requireRole(context, 'VIEWER', 'Reading budget alerts');
    if (context.role !== 'PLATFORM_ADMIN' && context.tenantId !== tenantId) return [];
    if (month && !/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) throw new BadUserInputError('month must be YYYY-MM, e.g. 2026-11.', { field: 'month' });
    const page = await this.alerts.query(tenantId, { where: month ? { month } : {}, orderBy: [{ field: 'at', direction: 'desc' }], first: 1000 });
    return page.items.map(({ doc }) => ({
      id: doc.id,
      month: doc.month,
      thresholdPercent: doc.thresholdPercent,
      limitUsd: doc.limitUsd,
      spentUsd: doc.spentUsd,
      at: doc.at,
      delivery: { state: doc.deliveryState, attempts: doc.attempts, lastError: doc.lastError, deliveredAt: doc.deliveredAt },
    }));
  }
}
