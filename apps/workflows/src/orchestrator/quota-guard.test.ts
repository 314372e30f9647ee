import { describe, expect, it } from 'vitest';
import { SqliteStore } from '@switchyard/store';
import { QuotaGuard } from './quota-guard.ts';

describe('QuotaGuard', () => {
  it('never admits more runs in a month than the quota, however many start at once', async () => {
    const guard = new QuotaGuard(new SqliteStore({ filename: ':memory:' }), { runsPerMonth: 10, concurrentWorkflows: 1000 }, async () => 0);
    const results = await Promise.allSettled(Array.from({ length: 25 }, () => guard.admit('acme', new Date('2026-11-15T00:00:00Z'))));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(10);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toMatchObject({ code: 'QUOTA_EXCEEDED' });
    expect(refused.reason.extensions.retryAfter).toBe(16 * 24 * 3600);
    // A new month starts afresh, and another tenant has its own quota.
    await expect(guard.admit('acme', new Date('2026-12-01T00:00:00Z'))).resolves.toBeDefined();
    await expect(guard.admit('globex', new Date('2026-11-15T00:00:00Z'))).resolves.toBeDefined();
  });

  it('refuses when too many workflows are active, and gives a released run back', async () => {
    let active = 3;
    const guard = new QuotaGuard(new SqliteStore({ filename: ':memory:' }), { runsPerMonth: 1, concurrentWorkflows: 3 }, async () => active);
    await expect(guard.admit('acme')).rejects.toMatchObject({ code: 'QUOTA_EXCEEDED', message: expect.stringContaining('3 workflows queued or running') });
    active = 0;
    const run = await guard.admit('acme');
    await expect(guard.admit('acme')).rejects.toMatchObject({ code: 'QUOTA_EXCEEDED' });
    await run.release();
    await expect(guard.admit('acme')).resolves.toBeDefined();
  });

  it("applies each tenant's own quotas (its plan's), and names the plan in the refusal", async () => {
    const plans: Record<string, { runsPerMonth: number; concurrentWorkflows: number; plan: string }> = {
      small: { runsPerMonth: 1, concurrentWorkflows: 10, plan: 'free' },
      large: { runsPerMonth: 3, concurrentWorkflows: 10, plan: 'enterprise' },
    };
    const guard = new QuotaGuard(new SqliteStore({ filename: ':memory:' }), async (tenantId) => plans[tenantId]!, async () => 0);
    await guard.admit('small');
    await expect(guard.admit('small')).rejects.toMatchObject({ code: 'QUOTA_EXCEEDED', extensions: { quota: 'runsPerMonth', limit: 1, plan: 'free' }, message: expect.stringContaining('(free plan; a larger plan or limit comes from your platform admin)') });
    for (let i = 0; i < 3; i++) await guard.admit('large');
    await expect(guard.admit('large')).rejects.toMatchObject({ extensions: { limit: 3, plan: 'enterprise' } });
  });
});
