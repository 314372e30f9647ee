import { BadUserInputError, type TenantContext } from '@switchyard/contracts';
import type { Collection, DocumentStore } from '@switchyard/store';
import { requireRole, requireTenant } from '@switchyard/service-kit';

interface BudgetDoc {
  id: string;
  tenantId: string;
  monthlyLimitUsd: number;
  hardLimit: boolean;
  updatedAt: string;
}

const BUDGET_ID = 'monthly';

/**
 * Budgets and spend. Model calls are not metered yet (that arrives with the metering pipeline), so
 * spend, usage and workflow costs are honestly zero until then; budgets themselves are stored.
 */
export class BudgetManager {
  private readonly budgets: Collection<BudgetDoc>;
  constructor(store: DocumentStore) {
    this.budgets = store.collection<BudgetDoc>('budgets');
  }

  async getBudget(context: TenantContext, tenantId: string) {
    requireRole(context, 'VIEWER', 'Reading the budget');
    if (context.role !== 'PLATFORM_ADMIN' && context.tenantId !== tenantId) return null;
    const stored = await this.budgets.get(tenantId, BUDGET_ID);
    return stored ? { ...stored.doc, spentUsd: 0 } : null;
  }

  async setBudget(context: TenantContext, input: { monthlyLimitUsd: number; hardLimit: boolean }) {
    requireRole(context, 'TENANT_ADMIN', 'setBudget');
    const tenantId = requireTenant(context, 'setBudget');
    if (!Number.isFinite(input.monthlyLimitUsd) || input.monthlyLimitUsd < 0 || input.monthlyLimitUsd > 10_000_000) {
      throw new BadUserInputError('input.monthlyLimitUsd must be between 0 and 10,000,000 USD.', { field: 'input.monthlyLimitUsd' });
    }
    const doc: BudgetDoc = { id: BUDGET_ID, tenantId, monthlyLimitUsd: input.monthlyLimitUsd, hardLimit: input.hardLimit, updatedAt: new Date().toISOString() };
    await this.budgets.upsert(doc);
    return { ...doc, spentUsd: 0 };
  }

  usage(context: TenantContext) {
    requireRole(context, 'VIEWER', 'Reading usage');
    return { totalUsd: 0, inputTokens: 0, outputTokens: 0, modelCalls: 0, workflows: 0 };
  }

  workflowCost() {
    return { totalUsd: 0, inputTokens: 0, outputTokens: 0, modelCalls: 0, byAgent: [] };
  }
}
