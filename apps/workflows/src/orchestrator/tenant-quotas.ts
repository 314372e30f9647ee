import type { Logger, ServiceClient } from '@switchyard/service-kit';
import type { Quotas } from './quota-guard.ts';

const CACHE_MS = 5000;

/**
 * Each tenant's quotas from its plan and overrides (decision 023), asked of the tenants service and
 * kept for 5 s; while the tenants service cannot answer, the last answer stands, and before any
 * answer the platform-wide settings (QUOTA_*) do.
 */
export class TenantQuotas {
  private readonly known = new Map<string, { quotas: Quotas; until: number }>();

  constructor(
    private readonly tenants: ServiceClient,
    private readonly fallback: Quotas,
    private readonly logger: Logger,
  ) {}

  async of(tenantId: string): Promise<Quotas> {
    const cached = this.known.get(tenantId);
    if (cached && cached.until > Date.now()) return cached.quotas;
    try {
      const { tenant } = await this.tenants.request<{ tenant: { limits: { plan: string; runsPerMonth: number; concurrentWorkflows: number } } | null }>(
        'query TenantQuotas($id: ID!) { tenant(id: $id) { limits { plan runsPerMonth concurrentWorkflows } } }',
        { id: tenantId },
        { tenantId, role: 'VIEWER', keyId: null, subject: 'service:workflows' },
      );
      const quotas: Quotas = tenant ? { ...tenant.limits } : (cached?.quotas ?? this.fallback);
      if (this.known.size > 100_000) this.known.clear();
      this.known.set(tenantId, { quotas, until: Date.now() + CACHE_MS });
      return quotas;
    } catch (error) {
      this.logger.warn({ err: error, tenantId }, 'tenant quotas unavailable; using the last known');
      return cached?.quotas ?? this.fallback;
    }
  }
}
