import { readFileSync } from 'node:fs';
import type express from 'express';
import { gql } from 'graphql-tag';
import type { z } from 'zod';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { createStoreFromEnv, withTenantTombstones, type TombstonedStore } from '@switchyard/store';
import { ContextTokens } from './context-token.ts';
import { parseEnv, type BaseServiceEnv } from './env.ts';
import { createLogger, type Logger } from './logger.ts';
import { announceReady, onShutdown, runMain } from './service-process.ts';
import { ServiceMetrics } from './metrics.ts';
import { startTracing } from './tracing.ts';
import { requireTenantContext, startSubgraphServer, type RequestContext } from './subgraph-server.ts';

export interface ServiceParts {
  resolvers: GraphQLResolverMap<RequestContext>;
  routes?: (app: express.Express) => void;
  readiness?: () => unknown;
  /** Run once the server listens (background loops such as workflow recovery). */
  afterListen?: (url: string) => Promise<void> | void;
  /** Closed after the server stops, before the store. */
  closers?: Array<() => Promise<void> | void>;
  /** Run first on shutdown, before the server drains its requests: end long polls, so draining does not wait for them. */
  beforeClose?: Array<() => Promise<void> | void>;
  /** Erase a tenant's data the service keeps outside its store (a vector index); runs after the store's erase. */
  eraseTenant?: (tenantId: string) => Promise<number>;
  /** Stop a tenant's work in flight before it is erased (workflows: cancel its open runs); runs before the tombstone. */
  stopTenant?: (tenantId: string) => Promise<number>;
}

export interface ServiceWiring<E extends BaseServiceEnv> {
  env: E;
  logger: Logger;
  tokens: ContextTokens;
  /** The service's store; writes for erased tenants are refused (decision 023). */
  store: TombstonedStore;
  /** The process's Prometheus metrics, for the service's own counters and gauges. */
  metrics: ServiceMetrics;
}

export interface SubgraphServiceDefinition<S extends z.ZodType<BaseServiceEnv>> {
  name: string;
  /** The service's env schema (baseServiceEnv extended); PORT should carry the service's default port. */
  envSchema: S;
  /** URL of the service's schema.graphql (Federation 2 SDL). */
  schemaUrl: URL;
  build(wiring: ServiceWiring<z.infer<S>>): Promise<ServiceParts>;
}

/**
 * Every service's part of GDPR requests: export (GET) or erase (DELETE) everything its store holds
 * for a tenant, and before erasing, stop its work and refuse its writes from then on (POST
 * .../tombstone, decision 023). Only the tenants service, which runs those requests, may call these.
 */
function mountTenantDataRoutes(
  app: express.Express,
  store: TombstonedStore,
  tokens: ContextTokens,
  metrics: ServiceMetrics,
  parts: Pick<ServiceParts, 'eraseTenant' | 'stopTenant'>,
): void {
  const onlyTenantsService: express.RequestHandler = (_req, res, next) => {
    const caller = res.locals.tenant as { role?: string; subject?: string } | undefined;
    if (caller?.role !== 'PLATFORM_ADMIN' || caller.subject !== 'service:tenants') {
      res.status(403).json({ error: 'Only the tenants service may export or erase tenant data.' });
      return;
    }
    next();
  };
  app.get('/internal/tenant-data/:tenantId', requireTenantContext(tokens), onlyTenantsService, async (req, res) => {
    res.json({ collections: await store.exportTenant(String(req.params.tenantId)) });
  });
  app.post('/internal/tenant-data/:tenantId/tombstone', requireTenantContext(tokens), onlyTenantsService, async (req, res) => {
    const tenantId = String(req.params.tenantId);
    const stopped = (await store.isErased(tenantId)) ? 0 : ((await parts.stopTenant?.(tenantId)) ?? 0);
    await store.tombstone(tenantId);
    await metrics.forgetTenant(tenantId);
    res.json({ stopped });
  });
  app.delete('/internal/tenant-data/:tenantId', requireTenantContext(tokens), onlyTenantsService, async (req, res) => {
    const tenantId = String(req.params.tenantId);
    await store.tombstone(tenantId);
    const deleted = await store.deleteTenant(tenantId);
    await metrics.forgetTenant(tenantId);
    res.json({ deleted: deleted + ((await parts.eraseTenant?.(tenantId)) ?? 0) });
  });
}

/**
 * The one `main()` every subgraph service runs: env → logging → store → domain (build) → server with
 * health/readiness → graceful shutdown → tell the launcher it is ready.
 */
export function runSubgraphService<S extends z.ZodType<BaseServiceEnv>>(definition: SubgraphServiceDefinition<S>): void {
  runMain(async () => {
    const env = parseEnv(definition.envSchema, process.env) as z.infer<S>;
    const logger = createLogger(definition.name, env.LOG_LEVEL);
    const tracing = await startTracing(definition.name, env);
    const tokens = new ContextTokens(env.SWITCHYARD_CONTEXT_SECRET);
    const metrics = new ServiceMetrics(definition.name);
    // Writes for an erased tenant are refused, whoever makes them; a replica that learns of an erasure drops the tenant's series.
    const store = withTenantTombstones(createStoreFromEnv({ ...env, dataDir: env.SWITCHYARD_DATA_DIR, service: definition.name }), { onErased: (tenantId) => void metrics.forgetTenant(tenantId) });
    const parts = await definition.build({ env, logger, tokens, store, metrics });
    const server = await startSubgraphServer({
      name: definition.name,
      typeDefs: gql(readFileSync(definition.schemaUrl, 'utf8')),
      resolvers: parts.resolvers,
      host: env.HOST,
      port: env.PORT,
      logger,
      tokens,
      routes: (app) => {
        mountTenantDataRoutes(app, store, tokens, metrics, parts);
        parts.routes?.(app);
      },
      readiness: parts.readiness,
      metrics,
    });
    onShutdown(logger, [...(parts.beforeClose ?? []), () => server.close(), ...(parts.closers ?? []), () => store.close(), () => tracing.shutdown()]);
    await parts.afterListen?.(server.url);
    announceReady(definition.name, server.url);
  });
}
