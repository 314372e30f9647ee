import { BadUserInputError, type TenantContext } from '@switchyard/contracts';
import type { Collection, DocumentStore } from '@switchyard/store';
import { requireRole, requireTenant } from '@switchyard/service-kit';
import type { UsageMeter } from '../metering/usage-meter.ts';

interface BudgetDoc {
  id: string;
  tenantId: string;
  monthlyLimitUsd: number;
  hardLimit: boolean;
  updatedAt: string;
}

const BUDGET_ID = 'monthly';

/** Budgets per tenant, with the month's spend from metered model calls (enforced by BudgetLedger). */
export class BudgetManager {
  private readonly budgets: Collection<BudgetDoc>;
  constructor(
    store: DocumentStore,
    private readonly meter: UsageMeter,
  ) {
    this.budgets = store.collection<BudgetDoc>('budgets');
  }

  async getBudget(context: TenantContext, tenantId: string) {
    requireRole(context, 'VIEWER', 'Reading the budget');
    if (context.role !== 'PLATFORM_ADMIN' && context.tenantId !== tenantId) return null;
    const stored = await this.budgets.get(tenantId, BUDGET_ID);
    return stored ? { ...stored.doc, spentUsd: await this.meter.monthSpend(tenantId) } : null;
  }

  /** The tenant's limit, for reservations (null: no budget set). */
  async limitOf(tenantId: string): Promise<{ monthlyLimitUsd: number; hardLimit: boolean } | null> {
    return (await this.budgets.get(tenantId, BUDGET_ID))?.doc ?? null;
  }

  async setBudget(context: TenantContext, input: { monthlyLimitUsd: number; hardLimit: boolean }) {
    requireRole(context, 'TENANT_ADMIN', 'setBudget');
    const tenantId = requireTenant(context, 'setBudget');
    if (!Number.isFinite(input.monthlyLimitUsd) || input.monthlyLimitUsd < 0 || input.monthlyLimitUsd > 10_000_000) {
      throw new BadUserInputError('input.monthlyLimitUsd must be between 0 and 10,000,000 USD.', { field: 'input.monthlyLimitUsd' });
    }
    const doc: BudgetDoc = { id: BUDGET_ID, tenantId, monthlyLimitUsd: input.monthlyLimitUsd, hardLimit: input.hardLimit, updatedAt: new Date().toISOString() };
    await this.budgets.upsert(doc);
    return { ...doc, spentUsd: await this.meter.monthSpend(tenantId) };
  }
}
