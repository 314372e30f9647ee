import http from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { GraphQLError, getOperationAST, print, type GraphQLSchema } from 'graphql';
import { WebSocketServer } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { CONTEXT_HEADER, ErrorCode, HTTP_STATUS_FOR_CODE, SwitchyardError, type TenantContext } from '@switchyard/contracts';
import {
  ContextTokens,
  announceReady,
  createLogger,
  formatErrorFor,
  onShutdown,
  runMain,
  ServiceEndpoints,
  ServiceMetrics,
  serviceUrlVar,
  startTracing,
  traceHeaders,
  traceRequests,
} from '@switchyard/service-kit';
import { Redis } from 'ioredis';
import { auditPlugin } from './audit/audit-plugin.ts';
import { AuditQueue } from './audit/audit-queue.ts';
import { Authenticator } from './auth/authenticator.ts';
import { CredentialFeed, credentialChangePlugin, type CredentialChangeSink } from './auth/credential-feed.ts';
import { OpenSockets, type OpenSocket } from './auth/open-sockets.ts';
import { MemoryTokenBuckets, RedisTokenBuckets, type TokenBuckets } from './limits/token-bucket.ts';
import { readEnv } from './env.ts';
import { FederatedSubscriptions, UpstreamConnections } from './subscriptions/federated-subscriptions.ts';
import { prepareWsOperation } from './subscriptions/ws-operation.ts';
import { refuseUnreadableBodies, refusalWithoutCode, withoutArmorSyntaxPrefix, requestRefusals } from './requests/request-refusals.ts';

interface GatewayContext {
  tenant: TenantContext;
}

async function main() {
  const env = readEnv();
  const logger = createLogger('gateway', env.LOG_LEVEL);
  const tracing = await startTracing('gateway', env);
  const tokens = new ContextTokens(env.SWITCHYARD_CONTEXT_SECRET);
  const oidc =
    env.OIDC_ISSUER && env.OIDC_AUDIENCE
      ? {
          issuer: env.OIDC_ISSUER,
          audience: env.OIDC_AUDIENCE,
          jwksUrl: env.OIDC_JWKS_URL ?? `${env.OIDC_ISSUER.replace(/\/v2\.0\/?$/, '')}/discovery/v2.0/keys`,
          tenantClaim: env.OIDC_TENANT_CLAIM,
          rolesClaim: env.OIDC_ROLES_CLAIM,
          tenantMap: env.OIDC_TENANT_MAP as unknown as Record<string, string>,
        }
      : null;
  const endpoints = new Map(Object.entries(env.subgraphUrls).map(([name, urls]) => [name, new ServiceEndpoints(urls)]));
  const endpointsOf = (name: string): ServiceEndpoints => {
    const found = endpoints.get(name);
    if (!found) throw new Error(`No URL configured for subgraph ${name} (${serviceUrlVar(name)})`);
    return found;
  };
  const auth = new Authenticator(endpointsOf('tenants'), tokens, env.AUTH_CACHE_MS, oidc);
  // Verified keys are kept only while every revocation reaches this gateway (decision 025).
  // Open graphql-ws connections are verified again when their key or tenant changes, and closed when refused.
  const sockets = new OpenSockets(
    (authorization) => auth.authenticate(authorization),
    (error, unverified) =>
      unverified > 0
        ? logger.warn({ err: error, unverified }, 'open graphql-ws connections could not be verified again after a credential change; they stay open until the next change')
        : logger.warn({ err: error }, 'an open graphql-ws connection refused after a credential change could not be closed'),
  );
  const credentialChanges: CredentialChangeSink = {
    forget: (changes) => {
      auth.forget(changes);
      sockets.forget(changes);
    },
    forgetAll: () => {
      auth.forgetAll();
      sockets.forgetAll();
    },
  };
  const credentialFeed =
    env.AUTH_CACHE_MS > 0
      ? new CredentialFeed(endpointsOf('tenants'), tokens, credentialChanges, {
          waitMs: env.AUTH_FEED_WAIT_MS,
          retryMs: 1000,
          onError: (error) => logger.warn({ err: error }, 'credential feed unanswered: verified keys are asked for again on every request until it is back'),
        })
      : null;
  if (credentialFeed) {
    auth.useFeed(credentialFeed);
    credentialFeed.start();
  }
  const audit = new AuditQueue(endpointsOf('tenants'), tokens, logger, { capacity: env.AUDIT_QUEUE_CAPACITY });
  const redis = env.REDIS_URL ? new Redis(env.REDIS_URL, { maxRetriesPerRequest: 2 }) : null;
  const buckets: TokenBuckets = redis ? new RedisTokenBuckets(redis) : new MemoryTokenBuckets();
  const tenantRule = { capacity: env.RATE_LIMIT_TENANT_BURST, refillPerSecond: env.RATE_LIMIT_TENANT_PER_SECOND };
  const keyRule = { capacity: env.RATE_LIMIT_KEY_BURST, refillPerSecond: env.RATE_LIMIT_KEY_PER_SECOND };
  /** Authenticate, then spend one token of the tenant's bucket and one of the key's. */
  const admit = async (authorization: string | undefined): Promise<TenantContext> => {
    try {
      return await admitOrThrow(authorization);
    } catch (error) {
      // Refusals before any subgraph is asked get their HTTP status here (401, 429).
      if (error instanceof SwitchyardError) {
        const status = HTTP_STATUS_FOR_CODE[error.code] ?? 400;
        throw new GraphQLError(error.message, { extensions: { ...error.extensions, http: { status, ...((error.extensions.http as object | undefined) ?? {}) } } });
      }
      throw error;
    }
  };
  const admitOrThrow = async (authorization: string | undefined): Promise<TenantContext> => {
    const tenant = await auth.authenticate(authorization);
    // The tenant's bucket runs at its plan's rate (decision 023); the environment's only before the tenants service named one.
    const planned = tenant.tenantId ? auth.rateLimitOf(tenant.tenantId) : null;
    const rule = planned ? { capacity: planned.burst, refillPerSecond: planned.requestsPerSecond } : tenantRule;
    const checks = await Promise.all([
      tenant.tenantId ? buckets.take(`tenant:${tenant.tenantId}`, rule) : null,
      tenant.keyId ? buckets.take(`key:${tenant.keyId}`, keyRule) : null,
    ]);
    const refused = checks.filter((c) => c && !c.allowed).sort((a, b) => b!.retryAfterMs - a!.retryAfterMs)[0];
    if (refused) {
      const retryAfter = Math.max(1, Math.ceil(refused.retryAfterMs / 1000));
      const byTenant = Boolean(checks[0] && !checks[0].allowed);
      const message = byTenant
        ? `Too many requests for this tenant (${planned ? `${planned.plan} plan: ` : ''}${rule.refillPerSecond}/s, bursts of ${rule.capacity}); retry after ${retryAfter} s, or ask your platform admin for a higher limit.`
        : `Too many requests for this API key (${keyRule.refillPerSecond}/s, bursts of ${keyRule.capacity}); retry after ${retryAfter} s, or spread the load over more keys.`;
      throw new SwitchyardError(ErrorCode.RATE_LIMITED, message, {
        retryAfter,
        limit: byTenant ? 'tenantRequestsPerSecond' : 'keyRequestsPerSecond',
        ...(byTenant && planned ? { plan: planned.plan } : {}),
        http: { status: 429, headers: new Map([['retry-after', String(retryAfter)]]) },
      });
    }
    return tenant;
  };
  const supergraphSdl = readFileSync(env.SUPERGRAPH_PATH, 'utf8');
  const dataSources: Record<string, RemoteGraphQLDataSource<GatewayContext>> = {};
  const dataSourceFor = (name: string) =>
    (dataSources[name] ??= new RemoteGraphQLDataSource<GatewayContext>({
      url: endpointsOf(name).primary,
      // Each fetch goes to one of the subgraph's replicas, and to the next when one refuses the connection.
      fetcher: ((_url: string, init: { method?: string; headers?: Record<string, string>; body?: string }) => endpointsOf(name).fetch('', init)) as unknown as typeof fetch,
      async willSendRequest({ request, context }) {
        request.http?.headers.set(CONTEXT_HEADER, await tokens.sign(context.tenant));
        // The fetch span of the query plan is the subgraph call's client span: its context goes along
        // (and the fetch itself makes no second span; see startTracing).
        for (const [name, value] of Object.entries(traceHeaders())) request.http?.headers.set(name, value);
      },
    }));
  const gateway = new ApolloGateway({ supergraphSdl, buildService: ({ name }) => dataSourceFor(name) });
  const subscriptions = new FederatedSubscriptions(
    supergraphSdl,
    new Proxy(dataSources, { get: (_target, name: string) => dataSourceFor(name) }),
    logger,
    { queueCapacity: env.SUBSCRIPTION_QUEUE_CAPACITY },
  );

  // Depth, alias, token, directive and cost limits on every operation, HTTP and graphql-ws alike.
  // Tokens are limited by the parser itself (parseOptions, prepareWsOperation): armor's token plugin
  // parses again in a plugin hook, where every syntax error became an HTTP 500.
  const armor = new ApolloArmor({
    maxDepth: { n: env.GRAPHQL_MAX_DEPTH },
    maxAliases: { n: env.GRAPHQL_MAX_ALIASES },
    maxTokens: { enabled: false },
    maxDirectives: { n: 20 },
    costLimit: { maxCost: env.GRAPHQL_MAX_COST },
    blockFieldSuggestion: { enabled: env.NODE_ENV === 'production' },
  }).protect();

  let apiSchema: GraphQLSchema | undefined;
  gateway.onSchemaLoadOrUpdate(({ apiSchema: loaded }) => {
    apiSchema = loaded;
  });

  const app = express();
  app.disable('x-powered-by');
  app.use(traceRequests());
  const httpServer = http.createServer(app);
  httpServer.keepAliveTimeout = 65_000;
  const metrics = new ServiceMetrics('gateway');
  let socketsOpen = 0;
  metrics.gauge('switchyard_gateway_websockets_open', 'graphql-ws connections open on this gateway (admitted clients).', [], (gauge) => gauge.set(socketsOpen));
  const subscriptionsStarted = metrics.counter('switchyard_gateway_subscriptions_total', 'Subscriptions started through this gateway.');

  // Frames are held in memory whole: no larger than an HTTP body may be (ws closes with 1009 beyond it).
  const wsServer = new WebSocketServer({ server: httpServer, path: '/graphql', maxPayload: 1024 * 1024 });
  const wsCleanup = useServer<Record<string, unknown>, { tenant?: TenantContext; upstream?: UpstreamConnections; admitted?: OpenSocket }>(
    {
      schema: () => apiSchema!,
      onSubscribe: (_ctx, _id, payload) => prepareWsOperation(apiSchema!, payload, { maxTokens: env.GRAPHQL_MAX_TOKENS, rules: armor.validationRules }),
      onConnect: async (ctx) => {
        try {
          const authorization = (ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization) as string | undefined;
          ctx.extra.tenant = await admit(authorization);
          ctx.extra.upstream = new UpstreamConnections(endpointsOf, tokens, ctx.extra.tenant);
          const socket = ctx.extra.socket;
          ctx.extra.admitted = { authorization, tenant: ctx.extra.tenant, close: (code, reason) => socket.close(code, reason) };
          sockets.add(ctx.extra.admitted);
          socketsOpen += 1;
          return true;
        } catch {
          return false;
        }
      },
      onClose: async (ctx) => {
        if (ctx.extra.upstream) socketsOpen -= 1;
        if (ctx.extra.admitted) sockets.delete(ctx.extra.admitted);
        await ctx.extra.upstream?.dispose();
      },
      subscribe: (args) => {
        subscriptionsStarted.inc();
        const context = args.contextValue as GatewayContext & { upstream: UpstreamConnections };
        try {
          return subscriptions.subscribe(
            context.upstream,
            context,
            args.document,
            print(args.document),
            (args.variableValues ?? {}) as Record<string, unknown>,
            args.operationName ?? undefined,
          );
        } catch (error) {
          // One subscription fails, not the client's connection (graphql-ws closes it with 4500 on a throw).
          if (error instanceof GraphQLError && typeof error.extensions.code === 'string') return { errors: [error] };
          logger.error({ err: error }, 'subscription could not be started');
          return { errors: [new GraphQLError('The subscription could not be started; retry, and report it with the time if it persists.', { extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } })] };
        }
      },
      execute: async (args) => {
        const operation = getOperationAST(args.document, args.operationName);
        const response = await apollo.executeOperation(
          { query: args.document, variables: args.variableValues as Record<string, unknown> | undefined, operationName: args.operationName ?? undefined },
          { contextValue: args.contextValue as GatewayContext },
        );
        if (response.body.kind !== 'single') throw new GraphQLError(`Incremental delivery is not supported for ${operation?.operation ?? 'this operation'}.`);
        // graphql-ws sends errors with toJSON(); Apollo's are already formatted plain objects.
        const { errors, ...result } = response.body.singleResult;
        return { ...result, ...(errors ? { errors: errors.map((e) => new GraphQLError(e.message, { path: e.path, extensions: e.extensions })) } : {}) } as never;
      },
      // A client's trace context: the subscribe message's extensions, else the connection's params.
      context: (ctx, _id, payload) => ({ tenant: ctx.extra.tenant, upstream: ctx.extra.upstream, trace: (payload.extensions?.traceparent ? payload.extensions : ctx.connectionParams) as { traceparent?: string; tracestate?: string } | undefined }),
    },
    wsServer,
  );
  const drainWs: ApolloServerPlugin = {
    async serverWillStart() {
      return {
        async drainServer() {
          await wsCleanup.dispose();
        },
      };
    },
  };

  // A limit hit in a subgraph (quotas) answers like one hit here: HTTP 429 with Retry-After.
  const limitStatus: ApolloServerPlugin<GatewayContext> = {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          const limited = (response.body.singleResult.errors ?? []).filter((e) => e.extensions?.code === ErrorCode.RATE_LIMITED || e.extensions?.code === ErrorCode.QUOTA_EXCEEDED);
          if (limited.length === 0) return;
          const retryAfter = Math.max(1, ...limited.map((e) => Number(e.extensions?.retryAfter ?? 1)));
          response.http.status = 429;
          response.http.headers.set('retry-after', String(retryAfter));
        },
      };
    },
  };

  const formatError = formatErrorFor(logger);
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    plugins: [ApolloServerPluginDrainHttpServer({ httpServer }), drainWs, limitStatus, requestRefusals<GatewayContext>(), auditPlugin(audit), ...(credentialFeed ? [credentialChangePlugin(credentialFeed) as ApolloServerPlugin<GatewayContext>] : []), metrics.apolloPlugin<GatewayContext>(), ...(armor.plugins as ApolloServerPlugin<GatewayContext>[])],
    validationRules: armor.validationRules,
    parseOptions: { maxTokens: env.GRAPHQL_MAX_TOKENS },
    formatError: (formatted, error) => refusalWithoutCode(formatted, error) ?? formatError(withoutArmorSyntaxPrefix(formatted), error),
    includeStacktraceInErrorResponses: false,
    allowBatchedHttpRequests: false,
    csrfPrevention: true,
    introspection: env.NODE_ENV !== 'production',
    // onShutdown below stops the server (and flushes the audit queue); Apollo's handler of SIGTERM would race it.
    stopOnTerminationSignals: false,
  });
  await apollo.start();

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', service: 'gateway', audit: { pending: audit.pending, ...audit.counts } });
  });
  metrics.mount(app);
  app.get('/readyz', (_req, res) => {
    res.status(apiSchema ? 200 : 503).json({ status: apiSchema ? 'ready' : 'not-ready', service: 'gateway' });
  });
  app.use(
    '/graphql',
    express.json({ limit: '1mb' }),
    expressMiddleware(apollo, {
      context: async ({ req }) => ({ tenant: await admit(req.header('authorization')) }),
    }),
  );
  // How the console signs in: API keys always, and Entra ID (OIDC) where it is configured.
  app.get('/auth/config', (_req, res) => {
    res.setHeader('cache-control', 'no-cache');
    res.json({
      entraId:
        env.OIDC_ISSUER && env.OIDC_CONSOLE_CLIENT_ID
          ? { issuer: env.OIDC_ISSUER, clientId: env.OIDC_CONSOLE_CLIENT_ID, scopes: env.OIDC_CONSOLE_SCOPES, ...(env.OIDC_CONSOLE_RESOURCE ? { resource: env.OIDC_CONSOLE_RESOURCE } : {}) }
          : null,
    });
  });
  // The web console (apps/console/dist, once built): its files, and index.html for its own routes;
  // /graphql, /healthz, /readyz and /metrics are answered above and never reach it.
  const consoleDir = fileURLToPath(new URL('../../console/dist/', import.meta.url));
  app.use('/assets', express.static(`${consoleDir}assets`, { immutable: true, maxAge: '365d', fallthrough: false }));
  app.use(express.static(consoleDir, { index: false }));
  app.get(/^\/(?!graphql|healthz|readyz|metrics)/, (_req, res, next) => {
    if (!existsSync(`${consoleDir}index.html`)) return next();
    res.setHeader('cache-control', 'no-cache');
    res.sendFile('index.html', { root: consoleDir });
  });
  app.use(refuseUnreadableBodies);

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(env.PORT, env.HOST, () => resolve());
  });
  const url = `http://${env.HOST}:${(httpServer.address() as AddressInfo).port}/graphql`;
  logger.info({ url }, 'gateway listening');
  // Requests drain first (their audit records are queued by then), then the queue is written out.
  onShutdown(logger, [() => apollo.stop(), () => audit.close(5000), () => credentialFeed?.stop(), () => redis?.disconnect(), () => tracing.shutdown()]);
  announceReady('gateway', url);
}

runMain(main);
