import { CONTEXT_HEADER, ForbiddenError, UnavailableError, type TenantContext } from '@switchyard/contracts';
import { ServiceEndpoints, requireRole, requireTenant, type ContextTokens, type EndpointResponse } from '@switchyard/service-kit';
import type { TombstonedStore } from '@switchyard/store';
import type { TenantManager } from './tenant-manager.ts';

const AS_TENANTS_SERVICE: TenantContext = { tenantId: null, role: 'PLATFORM_ADMIN', keyId: null, subject: 'service:tenants' };

/**
 * GDPR data requests: everything the platform holds for a tenant, gathered from every service's
 * store (export), or removed from every one of them (erasure). Each service answers for its own
 * store through its /internal/tenant-data route.
 */
export class TenantDataRequests {
  private readonly services: Record<string, ServiceEndpoints>;

  constructor(
    services: Record<string, ServiceEndpoints | string | readonly string[]>,
    private readonly store: TombstonedStore,
    private readonly tenants: TenantManager,
    private readonly tokens: ContextTokens,
    /** How long to wait between tombstoning and deleting: longer than any replica caches that a tenant is not erased. */
    private readonly settleMs = 2500,
  ) {
    this.services = Object.fromEntries(Object.entries(services).map(([name, urls]) => [name, ServiceEndpoints.of(urls)]));
  }

  async export(context: TenantContext): Promise<Record<string, unknown>> {
    requireRole(context, 'TENANT_ADMIN', 'exportTenantData');
    const tenantId = requireTenant(context, 'exportTenantData');
    const services: Record<string, unknown> = { tenants: await this.store.exportTenant(tenantId) };
    for (const [name, url] of Object.entries(this.services)) {
      const answer = (await this.call('GET', url, tenantId)) as { collections: Record<string, unknown[]> };
      services[name] = answer.collections;
    }
    return { tenantId, exportedAt: new Date().toISOString(), services };
  }

  async erase(context: TenantContext, confirmTenantId: string): Promise<{ deleted: number }> {
    requireRole(context, 'TENANT_ADMIN', 'eraseTenantData');
    const tenantId = requireTenant(context, 'eraseTenantData');
    if (confirmTenantId !== tenantId) throw new ForbiddenError('eraseTenantData needs confirmTenantId set to your own tenant id; it erases everything of that tenant.');
    // Suspend first so no new work starts while the services erase.
    await this.tenants.setStatus(AS_TENANTS_SERVICE, tenantId, 'SUSPENDED');
    // Then stop the tenant's work (workflows first: it cancels the runs) and refuse its writes everywhere,
    // wait until no replica can still think it live, and only then delete (decision 023).
    const order = Object.keys(this.services).sort((a, b) => Number(b === 'workflows') - Number(a === 'workflows'));
    for (const name of order) await this.call('POST', this.services[name]!, tenantId, '/tombstone');
    await new Promise((resolve) => setTimeout(resolve, this.settleMs));
    let deleted = 0;
    for (const name of order) deleted += ((await this.call('DELETE', this.services[name]!, tenantId)) as { deleted: number }).deleted;
    await this.tenants.deleteTenant(AS_TENANTS_SERVICE, tenantId);
    deleted += await this.store.deleteTenant(tenantId);
    await this.store.tombstone(tenantId);
    return { deleted };
  }

  private async call(method: 'GET' | 'POST' | 'DELETE', service: ServiceEndpoints, tenantId: string, suffix = ''): Promise<unknown> {
    const host = new URL(service.primary).host;
    let response: EndpointResponse;
    try {
      // All are safe to repeat: an export reads, a tombstone is set once, an erasure of what is already gone deletes nothing.
      response = await service.fetch(`/internal/tenant-data/${encodeURIComponent(tenantId)}${suffix}`, {
        method,
        headers: { [CONTEXT_HEADER]: await this.tokens.sign(AS_TENANTS_SERVICE) },
        signal: AbortSignal.timeout(30_000),
        idempotent: true,
      });
    } catch (error) {
      throw new UnavailableError(`A service holding tenant data (${host}) could not be reached: ${(error as Error).message}. Retry the request; nothing is lost.`);
    }
    if (!response.ok) throw new UnavailableError(`A service holding tenant data (${host}) answered HTTP ${response.status}. Retry the request.`);
    return response.json();
  }
}
