import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import type { DocumentNode, GraphQLFormattedError } from 'graphql';
import { WebSocketServer } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import { CONTEXT_HEADER, ErrorCode, type TenantContext } from '@switchyard/contracts';
import type { ContextTokens } from './context-token.ts';
import type { Logger } from './logger.ts';
import { internalErrorHandler } from './internal-errors.ts';
import { connectionFailed } from './service-endpoints.ts';
import type { ServiceMetrics } from './metrics.ts';
import { SpanKind, contextFromTraceHeaders, trace, traceRequests, tracer, type Span } from './tracing.ts';

/** What every resolver receives: the verified tenant context and a logger bound to the request. */
export interface RequestContext {
  tenant: TenantContext;
  logger: Logger;
}

export interface SubgraphServerOptions {
  name: string;
  typeDefs: DocumentNode;
  resolvers: GraphQLResolverMap<RequestContext>;
  host: string;
  port: number;
  logger: Logger;
  tokens: ContextTokens;
  /** Extra routes (internal APIs such as an engine's /engine/runs); they get `requireTenantContext`. */
  routes?: (app: express.Express) => void;
  /** Throws (or rejects) while the service cannot serve traffic, e.g. its store is unreachable. */
  readiness?: () => unknown;
  /** Body size limit for HTTP requests. */
  bodyLimit?: string;
  /** The process's metrics: every operation is counted and timed, and GET /metrics serves them. */
  metrics?: ServiceMetrics;
}

export interface RunningServer {
  url: string;
  port: number;
  httpServer: http.Server;
  close(): Promise<void>;
}

/** Errors a client may see as they are; everything else becomes a generic internal error (and is logged). */
export function formatErrorFor(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && code !== ErrorCode.INTERNAL_SERVER_ERROR) return formatted;
    const original = (error as { originalError?: unknown })?.originalError ?? error;
    if (connectionFailed(original) || (original as { name?: unknown } | null)?.name === 'TimeoutError') {
      // A peer or the store could not be reached, or did not answer in time (a replica restarting, a
      // moment of overload): worth retrying, and not a bug.
      logger.warn({ err: original }, 'a dependency was unreachable');
      return {
        message: 'A service this request needs could not be reached just now. Retry shortly (requests that start work can carry an idempotencyKey, so retrying is safe).',
        locations: formatted.locations,
        path: formatted.path,
        extensions: { code: ErrorCode.UNAVAILABLE },
      };
    }
    logger.error({ err: (error as { originalError?: unknown })?.originalError ?? error }, 'unexpected error in resolver');
    return {
      message: 'Internal error: the request failed unexpectedly. Retry later; if it persists, report it with the time of the request.',
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
    };
  };
}

/** Put the request's tenant on its server span (a no-op while tracing is off). */
function tagTenant(tenant: TenantContext): void {
  if (tenant.tenantId) trace.getActiveSpan()?.setAttribute('switchyard.tenant.id', tenant.tenantId);
}

/** Express middleware: verify the signed tenant context header and put it on res.locals.tenant. */
export function requireTenantContext(tokens: ContextTokens): express.RequestHandler {
  return (req, res, next) => {
    tokens
      .verify(req.header(CONTEXT_HEADER))
      .then((tenant) => {
        res.locals.tenant = tenant;
        tagTenant(tenant);
        next();
      })
      .catch((error: Error) => {
        res.status(401).json({ errors: [{ message: error.message, extensions: { code: ErrorCode.UNAUTHENTICATED } }] });
      });
  };
}

/**
 * Start one Apollo Federation 2 subgraph: GraphQL over HTTP and graphql-ws on the same /graphql path,
 * /healthz (the process is alive) and /readyz (it can serve), every GraphQL request refused unless it
 * carries a valid signed tenant context, and a graceful close that drains in-flight requests.
 */
export async function startSubgraphServer(options: SubgraphServerOptions): Promise<RunningServer> {
  const { logger, tokens } = options;
  const schema = buildSubgraphSchema([{ typeDefs: options.typeDefs, resolvers: options.resolvers }]);
  const app = express();
  app.disable('x-powered-by');
  app.use(traceRequests());
  const httpServer = http.createServer(app);
  httpServer.keepAliveTimeout = 65_000;

  const wsServer = new WebSocketServer({ server: httpServer, path: '/graphql' });
  // One span per subscription, continuing the trace its subscribe message's extensions name.
  const subscriptionSpans = new WeakMap<object, Map<string, Span>>();
  const endSubscriptionSpan = (extra: object, id: string) => {
    subscriptionSpans.get(extra)?.get(id)?.end();
    subscriptionSpans.get(extra)?.delete(id);
  };
  const wsCleanup = useServer<Record<string, unknown>, { tenant?: TenantContext }>(
    {
      schema,
      onConnect: async (ctx) => {
        try {
          ctx.extra.tenant = await tokens.verify(ctx.connectionParams?.[CONTEXT_HEADER] as string | undefined);
          return true;
        } catch {
          return false;
        }
      },
      onSubscribe: (ctx, id, payload) => {
        const extensions = (payload.extensions ?? {}) as { traceparent?: string; tracestate?: string };
        if (!extensions.traceparent) return;
        const span = tracer.startSpan(
          `subscription ${payload.operationName ?? 'anonymous'}`,
          { kind: SpanKind.SERVER, attributes: { 'graphql.operation.type': 'subscription', ...(ctx.extra.tenant?.tenantId ? { 'switchyard.tenant.id': ctx.extra.tenant.tenantId } : {}) } },
          contextFromTraceHeaders(extensions),
        );
        const spans = subscriptionSpans.get(ctx.extra) ?? new Map<string, Span>();
        spans.set(id, span);
        subscriptionSpans.set(ctx.extra, spans);
      },
      onComplete: (ctx, id) => endSubscriptionSpan(ctx.extra, id),
      onError: (ctx, id) => endSubscriptionSpan(ctx.extra, id),
      onClose: (ctx) => {
        for (const span of subscriptionSpans.get(ctx.extra)?.values() ?? []) span.end();
        subscriptionSpans.delete(ctx.extra);
      },
      context: (ctx): RequestContext => ({ tenant: ctx.extra.tenant as TenantContext, logger }),
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

  const apollo = new ApolloServer<RequestContext>({
    schema,
    plugins: [ApolloServerPluginDrainHttpServer({ httpServer }), drainWs, ...(options.metrics ? [options.metrics.apolloPlugin<RequestContext>()] : [])],
    formatError: formatErrorFor(logger),
    includeStacktraceInErrorResponses: false,
    allowBatchedHttpRequests: false,
    csrfPrevention: true,
    // The service's own shutdown (onShutdown) stops the server; Apollo's handler of SIGTERM would race it.
    stopOnTerminationSignals: false,
  });
  await apollo.start();

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', service: options.name });
  });
  app.get('/readyz', async (_req, res) => {
    try {
      await options.readiness?.();
      res.json({ status: 'ready', service: options.name });
    } catch (error) {
      res.status(503).json({ status: 'not-ready', service: options.name, reason: (error as Error).message });
    }
  });

  options.metrics?.mount(app);
  options.routes?.(app);
  app.use(internalErrorHandler(logger));

  app.use(
    '/graphql',
    express.json({ limit: options.bodyLimit ?? '1mb' }),
    expressMiddleware(apollo, {
      context: async ({ req }): Promise<RequestContext> => {
        const tenant = await tokens.verify(req.header(CONTEXT_HEADER));
        tagTenant(tenant);
        return { tenant, logger: tenant.tenantId ? logger.child({ tenantId: tenant.tenantId }) : logger };
      },
    }),
  );

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(options.port, options.host, () => resolve());
  });
  const port = (httpServer.address() as AddressInfo).port;
  const url = `http://${options.host}:${port}/graphql`;
  logger.info({ url }, `${options.name} subgraph listening`);

  return {
    url,
    port,
    httpServer,
    async close() {
      await apollo.stop();
    },
  };
}
