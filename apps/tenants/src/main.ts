import express from 'express';
import { requireTenantContext, runSubgraphService } from '@switchyard/service-kit';
import { envSchema } from './env.ts';
import { buildResolvers } from './resolvers/index.ts';
import { TenantManager } from './tenancy/tenant-manager.ts';

runSubgraphService({
  name: 'tenants',
  envSchema,
  schemaUrl: new URL('./schema.graphql', import.meta.url),
  async build({ env, tokens, store }) {
    const tenants = new TenantManager(store);
    await tenants.ensureBootstrap(env.SWITCHYARD_BOOTSTRAP_ADMIN_KEY, env.SWITCHYARD_BOOTSTRAP_DEV_KEY, env.SWITCHYARD_BOOTSTRAP_DEV_TENANT);
    return {
      resolvers: buildResolvers(tenants),
      readiness: () => tenants.getTenant({ tenantId: null, role: 'PLATFORM_ADMIN', keyId: null, subject: 'service:readiness' }, '_ready'),
      routes: (app) => {
        // The gateway resolves presented credentials here; only platform processes hold a valid context.
        app.post('/internal/authenticate', requireTenantContext(tokens), express.json({ limit: '8kb' }), async (req, res) => {
          const credential = typeof req.body?.credential === 'string' ? req.body.credential : '';
          res.json({ context: await tenants.authenticate(credential) });
        });
      },
    };
  },
});
