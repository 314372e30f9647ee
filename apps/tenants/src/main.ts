import express from 'express';
import { requireTenantContext, runSubgraphService, serviceUrlVar } from '@switchyard/service-kit';
import { TenantDataRequests } from './tenancy/tenant-data.ts';

/** Every other service that keeps tenant data in its own store. */
const DATA_SERVICES = ['selection', 'workflows', 'engine-langgraph', 'engine-crewai', 'engine-autogen', 'billing', 'knowledge'];
import { envSchema } from './env.ts';
import { buildResolvers } from './resolvers/index.ts';
import { AuditLog, AuditRecord } from './tenancy/audit-log.ts';
import { TenantManager } from './tenancy/tenant-manager.ts';

runSubgraphService({
  name: 'tenants',
  envSchema,
  schemaUrl: new URL('./schema.graphql', import.meta.url),
  async build({ env, tokens, store }) {
    const tenants = new TenantManager(store);
    const audit = new AuditLog(store);
    const services = Object.fromEntries(
      DATA_SERVICES.flatMap((name) => {
        const url = process.env[serviceUrlVar(name)];
        return url ? [[name, url]] : [];
      }),
    );
    const data = new TenantDataRequests(services, store, tenants, tokens);
    await tenants.ensureBootstrap(env.SWITCHYARD_BOOTSTRAP_ADMIN_KEY, env.SWITCHYARD_BOOTSTRAP_DEV_KEY, env.SWITCHYARD_BOOTSTRAP_DEV_TENANT);
    return {
      resolvers: buildResolvers(tenants, audit, data),
      readiness: () => tenants.getTenant({ tenantId: null, role: 'PLATFORM_ADMIN', keyId: null, subject: 'service:readiness' }, '_ready'),
      routes: (app) => {
        // The gateway resolves presented credentials here; only platform processes hold a valid context.
        app.post('/internal/authenticate', requireTenantContext(tokens), express.json({ limit: '8kb' }), async (req, res) => {
          const credential = typeof req.body?.credential === 'string' ? req.body.credential : '';
          res.json({ context: await tenants.authenticate(credential) });
        });
        // For OIDC tokens the gateway verifies the token itself and asks only whether the tenant is active.
        app.post('/internal/tenant-status', requireTenantContext(tokens), express.json({ limit: '8kb' }), async (req, res) => {
          const tenantId = typeof req.body?.tenantId === 'string' ? req.body.tenantId : '';
          const tenant = tenantId ? await tenants.getTenant({ tenantId: null, role: 'PLATFORM_ADMIN', keyId: null, subject: 'service:gateway' }, tenantId) : null;
          res.json({ context: tenant?.status === 'ACTIVE' ? { tenantId, role: 'VIEWER', keyId: null, subject: 'tenant-status' } : null });
        });
        // The gateway records every mutation here after answering it.
        app.post('/internal/audit', requireTenantContext(tokens), express.json({ limit: '64kb' }), async (req, res) => {
          const record = AuditRecord.safeParse(req.body);
          if (!record.success) {
            res.status(400).json({ error: record.error.message });
            return;
          }
          await audit.append(record.data);
          res.status(204).end();
        });
      },
    };
  },
});
