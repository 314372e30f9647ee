import { z } from 'zod';
import { BadUserInputError, Role } from '@switchyard/contracts';
import { DateTimeScalar, JSONScalar, type RequestContext } from '@switchyard/service-kit';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { toApiKey, type TenantDoc, type TenantManager } from '../tenancy/tenant-manager.ts';

const CreateApiKeyInput = z.object({ name: z.string(), role: Role });

export function buildResolvers(tenants: TenantManager): GraphQLResolverMap<RequestContext> {
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
      // The tool registry arrives with libs/tools; until then a tenant has no tools to list.
      tools: () => [],
    },
    Mutation: {
      createTenant: async (_root, { input }: { input: { name: string } }, { tenant }) => {
        const created = await tenants.createTenant(tenant, input.name);
        return { ...created, apiKey: toApiKey(created.apiKey) };
      },
      createApiKey: async (_root, { input }: { input: unknown }, { tenant }) => {
        const parsed = CreateApiKeyInput.safeParse(input);
        if (!parsed.success) throw new BadUserInputError(`Invalid input: ${parsed.error.issues.map((i) => `input.${i.path.join('.')}: ${i.message}`).join('; ')}`);
        const created = await tenants.createKey(tenant, parsed.data.name, parsed.data.role);
        return { ...created, apiKey: toApiKey(created.apiKey) };
      },
      revokeApiKey: async (_root, { id }: { id: string }, { tenant }) => toApiKey(await tenants.revokeKey(tenant, id)),
    },
    Tenant: {
      __resolveReference: (reference: { id: string }, { tenant }: RequestContext): Promise<TenantDoc | null> =>
        tenants.getTenant(tenant, reference.id),
    },
  };
}
