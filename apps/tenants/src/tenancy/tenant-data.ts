import { CONTEXT_HEADER, ForbiddenError, UnavailableError, type TenantContext } from '@switchyard/contracts';
import { ServiceEndpoints, requireRole, requireTenant, type ContextTokens } from '@switchyard/service-kit';
import type { DocumentStore } from '@switchyard/store';
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
    private readonly store: DocumentStore,
    private readonly tenants: TenantManager,
    private readonly tokens: ContextTokens,
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
    let deleted = 0;
    for (const url of Object.values(this.services)) deleted += ((await this.call('DELETE', url, tenantId)) as { deleted: number }).deleted;
    await this.tenants.deleteTenant(AS_TENANTS_SERVICE, tenantId);
    deleted += await this.store.deleteTenant(tenantId);
    return { deleted };
  }

  private async call(method: 'GET' | 'DELETE', service: ServiceEndpoints, tenantId: string): Promise<unknown> {
    const host = new URL(service.primary).host;
    let response: Response;
    try {
      // Both are safe to repeat: an export reads, an erasure of what is already gone deletes nothing.
      response = await service.fetch(`/internal/tenant-data/${encodeURIComponent(tenantId)}`, {
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
