import { describe, expect, it } from 'vitest';
import { SqliteStore } from '@switchyard/store';
import type { TenantContext } from '@switchyard/contracts';
import { BudgetManager } from './budget-manager.ts';
import { UsageMeter } from '../metering/usage-meter.ts';

describe('BudgetManager', () => {
  it('stores a tenant budget that only that tenant can read, and only admins can set', async () => {
    const store = new SqliteStore({ filename: ':memory:' });
    const budgets = new BudgetManager(store, new UsageMeter(store));
    const admin: TenantContext = { tenantId: 'acme', role: 'TENANT_ADMIN', keyId: 'k', subject: 's' };
    await budgets.setBudget(admin, { monthlyLimitUsd: 100, hardLimit: true });
    expect(await budgets.getBudget(admin, 'acme')).toMatchObject({ monthlyLimitUsd: 100, hardLimit: true, spentUsd: 0 });
    expect(await budgets.getBudget({ ...admin, tenantId: 'globex' }, 'acme')).toBeNull();
    await expect(budgets.setBudget({ ...admin, role: 'DEVELOPER' }, { monthlyLimitUsd: 1, hardLimit: false })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(budgets.setBudget(admin, { monthlyLimitUsd: -1, hardLimit: false })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
  });
});
