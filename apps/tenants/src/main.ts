import express from 'express';
import {
  AzureKeyVaultKeyEncryptionKey,
  EnvelopeEncryption,
  LocalKeyEncryptionKey,
  requireTenantContext,
  runSubgraphService,
  serviceUrlVar,
} from '@switchyard/service-kit';
import { TenantErasedError } from '@switchyard/store';
import { IntegrationSecrets } from './tenancy/integration-secrets.ts';
import { ToolSettingsManager } from './tools/tool-settings-manager.ts';
import { McpClientPool, parseHostList, parseStdioCommandList } from '@switchyard/tools';
import { TenantDataRequests } from './tenancy/tenant-data.ts';

/** Every other service that keeps tenant data in its own store. */
const DATA_SERVICES = ['selection', 'workflows', 'engine-langgraph', 'engine-crewai', 'engine-autogen', 'billing', 'knowledge'];
import { envSchema } from './env.ts';
import { buildResolvers } from './resolvers/index.ts';
import { AuditLog, AuditRecord } from './tenancy/audit-log.ts';
import { TenantManager } from './tenancy/tenant-manager.ts';
import { CredentialChanges } from './tenancy/credential-changes.ts';

runSubgraphService({
  name: 'tenants',
  envSchema,
  schemaUrl: new URL('./schema.graphql', import.meta.url),
  async build({ env, tokens, store, metrics, logger }) {
    const credentialChanges = new CredentialChanges(store, (error) => logger.warn({ err: error }, 'old credential changes could not be removed; retried in a minute'));
    // How often gateways ask about a presented key; with their caches, about once per key and change.
    const credentialLookups = metrics.counter('switchyard_credential_lookups_total', 'API keys gateways asked the tenants service to verify (asked), and those refused as unknown, revoked or expired (refused).', ['outcome']);
    const tenants = new TenantManager(
      store,
      {
        requestsPerSecond: env.RATE_LIMIT_TENANT_PER_SECOND,
        burst: env.RATE_LIMIT_TENANT_BURST,
        runsPerMonth: env.QUOTA_RUNS_PER_MONTH,
        concurrentWorkflows: env.QUOTA_CONCURRENT_WORKFLOWS,
      },
      credentialChanges,
    );
    const audit = new AuditLog(store);
    const services = Object.fromEntries(
      DATA_SERVICES.flatMap((name) => {
        const url = process.env[serviceUrlVar(name)];
        return url ? [[name, url]] : [];
      }),
    );
    const data = new TenantDataRequests(services, store, tenants, tokens, env.ERASURE_SETTLE_MS);
    const kek = env.KEY_VAULT_KEY_ID
      ? new AzureKeyVaultKeyEncryptionKey(env.KEY_VAULT_KEY_ID)
      : env.SWITCHYARD_MASTER_KEY
        ? new LocalKeyEncryptionKey(env.SWITCHYARD_MASTER_KEY)
        : null;
    const secrets = new IntegrationSecrets(store, kek ? new EnvelopeEncryption(kek) : null);
    const privateHostExemptions = parseHostList(env.SWITCHYARD_TOOLS_PRIVATE_HOSTS);
    const mcpPolicy = { stdioCommands: parseStdioCommandList(env.SWITCHYARD_MCP_STDIO_COMMANDS) };
    const mcpPool = new McpClientPool({ ...mcpPolicy, privateHostExemptions, idleMs: 60_000 });
    const tools = new ToolSettingsManager(store, {
      pool: mcpPool,
      policy: mcpPolicy,
      secretsFor: (tenantId) => ({
        get: async (qualified) => {
          const dot = qualified.indexOf('.');
          return secrets.reveal(tenantId, qualified.slice(0, dot), qualified.slice(dot + 1)).catch((error: Error) => {
            if ((error as { code?: string }).code === 'NOT_FOUND') return undefined;
            throw error;
          });
        },
      }),
    });
    await tenants.ensureBootstrap(env.SWITCHYARD_BOOTSTRAP_ADMIN_KEY, env.SWITCHYARD_BOOTSTRAP_DEV_KEY, env.SWITCHYARD_BOOTSTRAP_DEV_TENANT);
    return {
      resolvers: buildResolvers(tenants, audit, data, secrets, tools),
      readiness: () => tenants.getTenant({ tenantId: null, role: 'PLATFORM_ADMIN', keyId: null, subject: 'service:readiness' }, '_ready'),
      beforeClose: [() => credentialChanges.close()],
      closers: [() => mcpPool.close()],
      routes: (app) => {
        // The gateway resolves presented credentials here; only platform processes hold a valid context.
        app.post('/internal/authenticate', requireTenantContext(tokens), express.json({ limit: '8kb' }), async (req, res) => {
          const credential = typeof req.body?.credential === 'string' ? req.body.credential : '';
          credentialLookups.inc({ outcome: 'asked' });
          const answer = await tenants.authenticateWithLimits(credential);
          if (!answer) credentialLookups.inc({ outcome: 'refused' });
          res.json({ context: answer?.context ?? null, limits: answer?.limits ?? null, expiresAt: answer?.expiresAt ?? null });
        });
        // Gateways that cache verified keys long-poll here for revocations, suspensions and limit changes (decision 025).
        app.post('/internal/credential-changes', requireTenantContext(tokens), express.json({ limit: '8kb' }), async (req, res) => {
          const known = Number.isSafeInteger(req.body?.generation) ? (req.body.generation as number) : null;
          const since = typeof req.body?.since === 'string' ? req.body.since : null;
          const waitMs = Math.min(Math.max(Number(req.body?.waitMs) || 0, 0), 30_000);
          const gone = new AbortController();
          res.on('close', () => gone.abort());
          const answer = await credentialChanges.after(known, since, waitMs, gone.signal);
          if (!res.destroyed) res.json(answer);
        });
        // For OIDC tokens the gateway verifies the token itself and asks only whether the tenant is active.
        app.post('/internal/tenant-status', requireTenantContext(tokens), express.json({ limit: '8kb' }), async (req, res) => {
          const tenantId = typeof req.body?.tenantId === 'string' ? req.body.tenantId : '';
          const tenant = tenantId ? await tenants.getTenant({ tenantId: null, role: 'PLATFORM_ADMIN', keyId: null, subject: 'service:gateway' }, tenantId) : null;
          const active = tenant?.status === 'ACTIVE';
          res.json({ context: active ? { tenantId, role: 'VIEWER', keyId: null, subject: 'tenant-status' } : null, limits: active ? tenants.limitsOf(tenant) : null });
        });
        // Platform services (not the gateway) read a tenant's integration secret to call the integration.
        app.post('/internal/integration-secret', requireTenantContext(tokens), express.json({ limit: '8kb' }), async (req, res) => {
          const caller = res.locals.tenant as { subject: string };
          if (!caller.subject.startsWith('service:') || caller.subject === 'service:gateway') {
            res.status(403).json({ error: 'Only platform services may read integration secrets.' });
            return;
          }
          const { tenantId, integration, name } = req.body ?? {};
          try {
            res.json({ value: await secrets.reveal(String(tenantId), String(integration), String(name)) });
          } catch (error) {
            res.status(404).json({ error: (error as Error).message });
          }
        });
        // Engines read a tenant's tool settings at the start of every run.
        app.post('/internal/tool-settings', requireTenantContext(tokens), express.json({ limit: '8kb' }), async (req, res) => {
          const caller = res.locals.tenant as { tenantId: string | null; subject: string };
          if (!caller.subject.startsWith('service:') || caller.subject === 'service:gateway' || !caller.tenantId) {
            res.status(403).json({ error: 'Only platform services may read tool settings, for the tenant of their run.' });
            return;
          }
          res.json(await tools.forTenant(caller.tenantId));
        });
        // The gateway records every mutation here after answering it.
        app.post('/internal/audit', requireTenantContext(tokens), express.json({ limit: '64kb' }), async (req, res) => {
          const record = AuditRecord.safeParse(req.body);
          if (!record.success) {
            res.status(400).json({ error: record.error.message });
            return;
          }
          try {
            await audit.append(record.data);
          } catch (error) {
            // A record of a tenant erased meanwhile is not kept (the erasure itself is in the platform's partition).
            if (error instanceof TenantErasedError) {
              res.status(410).json({ error: error.message });
              return;
            }
            throw error;
          }
          res.status(204).end();
        });
      },
    };
  },
});
