import { z } from 'zod';
import { BadUserInputError, Role } from '@switchyard/contracts';
import { DateTimeScalar, JSONScalar, type RequestContext } from '@switchyard/service-kit';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import type { AuditLog } from '../tenancy/audit-log.ts';
import type { LimitName } from '../tenancy/plan-limits.ts';
import type { TenantDataRequests } from '../tenancy/tenant-data.ts';
import type { IntegrationSecrets } from '../tenancy/integration-secrets.ts';
import type { ToolSettingsManager, UpdateToolSettingsInput } from '../tools/tool-settings-manager.ts';
import { DEFAULT_SETTINGS, toApiKey, type Branding, type TenantDoc, type TenantManager, type TenantSettings } from '../tenancy/tenant-manager.ts';

const CreateApiKeyInput = z.object({ name: z.string(), role: Role, expiresAt: z.string().nullish() });

export function buildResolvers(tenants: TenantManager, audit: AuditLog, data: TenantDataRequests, secrets: IntegrationSecrets, tools: ToolSettingsManager): GraphQLResolverMap<RequestContext> {
  return {
    JSON: JSONScalar,
    DateTime: DateTimeScalar,
    Query: {
      viewer: async (_root, _args, { tenant }) => ({
        tenant: tenant.tenantId ? await tenants.getTenant(tenant, tenant.tenantId) : null,
        role: tenant.role,
        keyId: tenant.keyId,
      }),
      tenant: (_root, { id }: { id: string }, { tenant }) => tenants.getTenant(tenant, id),
      apiKeys: async (_root, _args, { tenant }) => (await tenants.listKeys(tenant)).map(toApiKey),
      tools: (_root, _args, { tenant }) => tools.list(tenant),
      toolConfig: (_root, _args, { tenant }) => tools.config(tenant),
      mcpServers: (_root, _args, { tenant }) => tools.mcpServers(tenant),
      integrationSecrets: (_root, _args, { tenant }) => secrets.list(tenant),
      auditLog: (_root, args: { first?: number | null; after?: string | null }, { tenant }) => audit.list(tenant, args.first ?? 50, args.after),
    },
    Mutation: {
      createTenant: async (_root, { input }: { input: { name: string; plan?: string | null; region?: string | null } }, { tenant }) => {
        const created = await tenants.createTenant(tenant, input.name, undefined, input);
        return { ...created, apiKey: toApiKey(created.apiKey) };
      },
      createApiKey: async (_root, { input }: { input: unknown }, { tenant }) => {
        const parsed = CreateApiKeyInput.safeParse(input);
        if (!parsed.success) throw new BadUserInputError(`Invalid input: ${parsed.error.issues.map((i) => `input.${i.path.join('.')}: ${i.message}`).join('; ')}`);
        const created = await tenants.createKey(tenant, parsed.data.name, parsed.data.role, parsed.data.expiresAt ?? null);
        return { ...created, apiKey: toApiKey(created.apiKey) };
      },
      revokeApiKey: async (_root, { id }: { id: string }, { tenant }) => toApiKey(await tenants.revokeKey(tenant, id)),
      rotateApiKey: async (_root, { id }: { id: string }, { tenant }) => {
        const rotated = await tenants.rotateKey(tenant, id);
        return { ...rotated, apiKey: toApiKey(rotated.apiKey) };
      },
      suspendTenant: (_root, { id }: { id: string }, { tenant }) => tenants.setStatus(tenant, id, 'SUSPENDED'),
      reactivateTenant: (_root, { id }: { id: string }, { tenant }) => tenants.setStatus(tenant, id, 'ACTIVE'),
      deleteTenant: (_root, { id }: { id: string }, { tenant }) => tenants.deleteTenant(tenant, id),
      updateTenantSettings: (_root, { input }: { input: Partial<TenantSettings> }, { tenant }) => tenants.updateSettings(tenant, input),
      exportTenantData: (_root, _args, { tenant }) => data.export(tenant),
      setIntegrationSecret: (_root, { input }: { input: { integration: string; name: string; value: string } }, { tenant }) => secrets.set(tenant, input),
      deleteIntegrationSecret: (_root, args: { integration: string; name: string }, { tenant }) => secrets.delete(tenant, args.integration, args.name),
      updateToolSettings: (_root, { input }: { input: UpdateToolSettingsInput }, { tenant }) => tools.update(tenant, input),
      registerMcpServer: (_root, { config }: { config: unknown }, { tenant }) => tools.registerMcpServer(tenant, config),
      removeMcpServer: (_root, { name }: { name: string }, { tenant }) => tools.removeMcpServer(tenant, name),
      eraseTenantData: async (_root, { confirmTenantId }: { confirmTenantId: string }, { tenant }) => {
        await data.erase(tenant, confirmTenantId);
        return true;
      },
      setTenantLimits: (_root, { tenantId, input }: { tenantId: string; input: { plan?: string | null } & Partial<Record<LimitName, number | null>> }, { tenant }) => tenants.setLimits(tenant, tenantId, input),
      setBranding: (_root, { input }: { input: Branding }, { tenant }) =>
        tenants.setBranding(tenant, { displayName: input.displayName ?? null, logoUrl: input.logoUrl ?? null, primaryColor: input.primaryColor ?? null, accentColor: input.accentColor ?? null }),
    },
    Tenant: {
      plan: (tenant: TenantDoc) => tenant.plan ?? 'team',
      region: (tenant: TenantDoc) => tenant.region ?? 'westeurope',
      settings: (tenant: TenantDoc) => ({ ...DEFAULT_SETTINGS, ...tenant.settings }),
      branding: (tenant: TenantDoc) => tenant.branding ?? null,
      limits: (tenant: TenantDoc) => tenants.limitsOf(tenant),
      __resolveReference: (reference: { id: string }, { tenant }: RequestContext): Promise<TenantDoc | null> =>
        tenants.getTenant(tenant, reference.id),
    },
  };
}
