import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { GraphQLError, type DocumentNode, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { Supergraph, operationFromDocument, type Schema } from '@apollo/federation-internals';
import { QueryPlanner, type FetchNode, type PlanNode, type QueryPlan } from '@apollo/query-planner';
import { buildOperationContext, executeQueryPlan, type GraphQLDataSource, type ServiceMap } from '@apollo/gateway';
import { CONTEXT_HEADER, ErrorCode, type TenantContext } from '@switchyard/contracts';
import { SpanKind, contextFromTraceHeaders, trace, traceContext, traceHeaders, tracer, type ContextTokens, type Logger, type ServiceEndpoints } from '@switchyard/service-kit';
import { BoundedQueue } from './bounded-queue.ts';
import { isConnectionLoss, resumablePrimary } from './resumable-subscription.ts';

/** The data of one subscription event, handed to the query plan as if a subgraph had fetched it. */
const EVENT_SOURCE = '__subscription_event__';

export interface SubscriptionOptions {
  /** Events that may wait for a slow subscriber before it is dropped. */
  queueCapacity: number;
  /** How often a resumable subscription subscribes again after losing its upstream before it gives up. Default 20. */
  maxResumes?: number;
}

/**
 * One client connection's upstream graphql-ws connections, one per subgraph, opened on first use.
 * A connection is not retried by the graphql-ws client itself (that would replay every subscription
 * from its start); a lost one fails its subscriptions, which resume on a new connection, to the next
 * replica of the subgraph.
 */
export class UpstreamConnections {
  private readonly clients = new Map<string, Client>();
  /** Subscriptions of this client connection, stopped when it closes. */
  private readonly subscriptions = new Set<() => void>();
  private disposed = false;
  constructor(
    private readonly endpoints: (serviceName: string) => ServiceEndpoints,
    private readonly tokens: ContextTokens,
    private readonly tenant: TenantContext,
  ) {}

  get(serviceName: string): Client {
    // After the client connection closed, nothing may open a new upstream one (a resume would leak it).
    if (this.disposed) throw new Error('The client connection is closed.');
    let client = this.clients.get(serviceName);
    if (!client) {
      const endpoints = this.endpoints(serviceName);
      client = createClient({
        url: () => endpoints.pick().replace(/^http/, 'ws'),
        webSocketImpl: WebSocket,
        connectionParams: async () => ({ [CONTEXT_HEADER]: await this.tokens.sign(this.tenant) }),
        lazy: true,
        lazyCloseTimeout: 1000,
        retryAttempts: 0,
      });
      this.clients.set(serviceName, client);
    }
    return client;
  }

  /** Register a subscription to stop when the client connection closes; returns its unregistration. */
  track(stop: () => void): () => void {
    if (this.disposed) {
      stop();
      return () => undefined;
    }
    this.subscriptions.add(stop);
    return () => this.subscriptions.delete(stop);
  }

  get closed(): boolean {
    return this.disposed;
  }

  /**
   * The client connection closed: stop its subscriptions at once (a subscription waiting for its
   * next event would otherwise stop only when one arrives), then close the upstream connections.
   */
  async dispose(): Promise<void> {
    this.disposed = true;
    for (const stop of [...this.subscriptions]) stop();
    this.subscriptions.clear();
    await Promise.all([...this.clients.values()].map((client) => client.dispose()));
    this.clients.clear();
  }
}

/**
 * Executes subscriptions across subgraphs, which @apollo/gateway plans but refuses to run. The
 * query planner splits a subscription into a SubscriptionNode: `primary`, the subscription fetch on
 * the subgraph that owns the root field, and `rest`, the fetches that resolve the other subgraphs'
 * fields of each event. The primary runs over graphql-ws on its subgraph; every event it yields is
 * fed to the gateway's own executeQueryPlan as the result of a first fetch, followed by `rest`, so a
 * subscriber may select any field of the supergraph on each event.
 */
export class FederatedSubscriptions {
  private readonly apiSchema: Schema;
  private readonly schema: GraphQLSchema;
  private readonly supergraphSchema: GraphQLSchema;
  private readonly planner: QueryPlanner;
  private readonly plans = new Map<string, QueryPlan>();

  constructor(
    supergraphSdl: string,
    private readonly serviceMap: ServiceMap,
    private readonly logger: Logger,
    private readonly options: SubscriptionOptions,
  ) {
    const supergraph = Supergraph.build(supergraphSdl);
    this.apiSchema = supergraph.apiSchema();
    this.schema = this.apiSchema.toGraphQLJSSchema();
    this.supergraphSchema = supergraph.schema.toGraphQLJSSchema();
    this.planner = new QueryPlanner(supergraph);
  }

  subscribe(
    upstream: UpstreamConnections,
    context: { tenant: TenantContext; trace?: { traceparent?: string; tracestate?: string } },
    document: DocumentNode,
    query: string,
    variables: Record<string, unknown>,
    operationName: string | undefined,
  ): AsyncIterableIterator<ExecutionResult> {
    const plan = this.planFor(document, query, operationName);
    const node = plan.node;
    if (node?.kind !== 'Subscription') {
      throw new GraphQLError('Only subscription operations run here.');
    }
    const operationContext = buildOperationContext({ schema: this.schema, operationDocument: document, operationName });
    const primary = node.primary;
    const primaryVariables = Object.fromEntries((primary.variableUsages ?? []).filter((name) => name in variables).map((name) => [name, variables[name]]));
    const queue = new BoundedQueue<ExecutionResult>(this.options.queueCapacity);
    // A resumable subscription keeps its position, so a lost upstream is subscribed again after it: no gap, no repeat.
    const resumable = resumablePrimary(primary.operation, primaryVariables);
    let cursor = resumable?.initialCursor ?? null;
    let resumes = 0;
    let stopped = false;
    let unsubscribeUpstream: () => void = () => undefined;
    const maxResumes = this.options.maxResumes ?? 20;
    // The subscription is a span of the subscribing client's trace (or of the one active here), and
    // that span travels to the subgraph in the message's extensions: the subgraph's span is its child.
    const parent = context.trace?.traceparent ? contextFromTraceHeaders(context.trace) : traceContext.active();
    // (While tracing is off the tracer is a no-op: no span, and no extensions.)
    const span = tracer.startSpan(
      `subscription ${operationName ?? primary.operationName ?? 'anonymous'}`,
      {
        kind: SpanKind.SERVER,
        attributes: { 'graphql.operation.type': 'subscription', ...(operationName ? { 'graphql.operation.name': operationName } : {}), ...(context.tenant.tenantId ? { 'switchyard.tenant.id': context.tenant.tenantId } : {}) },
      },
      parent,
    );
    const extensions = traceHeaders(trace.setSpan(parent, span));
    const subscribeUpstream = () => {
      if (stopped || upstream.closed) return;
      const upstreamVariables = resumable ? { ...primaryVariables, [resumable.cursorVariable]: cursor } : primaryVariables;
      unsubscribeUpstream = upstream.get(primary.serviceName).subscribe<Record<string, unknown>>(
        { query: resumable?.operation ?? primary.operation, variables: upstreamVariables, operationName: primary.operationName ?? undefined, ...(extensions.traceparent ? { extensions } : {}) },
        {
          next: (result) => {
            if (resumable) {
              const position = (result.data?.[resumable.responseKey] as Record<string, unknown> | undefined)?.[resumable.cursorField];
              if (typeof position === 'number') {
                if (cursor !== null && position <= cursor) return;
                cursor = position;
                resumes = 0;
              }
            }
            queue.push(result as ExecutionResult);
          },
          error: (error) => {
            if (resumable && !stopped && isConnectionLoss(error) && resumes < maxResumes) {
              resumes += 1;
              this.logger.info({ service: primary.serviceName, cursor, resumes }, 'subscription upstream lost; resuming');
              setTimeout(subscribeUpstream, Math.min(50 * 2 ** (resumes - 1), 2000)).unref();
              return;
            }
            queue.push({ errors: [toGraphQLError(error)] });
            queue.end();
          },
          complete: () => queue.end(),
        },
      );
    };
    const unsubscribe = () => {
      if (stopped) return;
      stopped = true;
      untrack();
      unsubscribeUpstream();
      span.end();
    };
    // The client's connection closing ends the subscription now, and its waiting iteration with it.
    const untrack = upstream.track(() => {
      unsubscribe();
      void queue.return();
    });
    subscribeUpstream();
    const requestContext = {
      request: { query, variables, operationName },
      context,
      logger: this.logger,
      metrics: {},
      cache: undefined,
    } as unknown as Parameters<typeof executeQueryPlan>[2];

    const resolveEvent = async (event: ExecutionResult): Promise<ExecutionResult> => withGraphQLErrors(await resolveFields(event));
    const resolveFields = async (event: ExecutionResult): Promise<ExecutionResult> => {
      if (!event.data) return event;
      const eventSource: GraphQLDataSource = { process: async () => ({ data: event.data as Record<string, unknown> }) };
      const perEvent: QueryPlan = {
        kind: 'QueryPlan',
        node: { kind: 'Sequence', nodes: [{ ...primary, serviceName: EVENT_SOURCE } as FetchNode, ...(node.rest ? [node.rest as PlanNode] : [])] },
      };
      const result = await executeQueryPlan(perEvent, { ...this.serviceMap, [EVENT_SOURCE]: eventSource }, requestContext, operationContext, this.supergraphSchema, this.apiSchema);
      return event.errors?.length ? { ...result, errors: [...(event.errors ?? []), ...(result.errors ?? [])] } : result;
    };

    // An iterator of its own rather than an async generator: graphql-ws awaits return() when the client
    // leaves, and a generator waiting for its next event would only return once one arrived (never,
    // on a quiet workflow), keeping the client's connection and its upstream subscription open.
    let finished = false;
    let overflowReported = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      unsubscribe();
      void queue.return();
    };
    const iterator = {
      async next(): Promise<IteratorResult<ExecutionResult>> {
        if (finished) return { done: true, value: undefined };
        const item = await queue.next();
        if (!item.done) {
          const value = await resolveEvent(item.value);
          return finished ? { done: true, value: undefined } : { done: false, value };
        }
        if (queue.overflowed && !overflowReported && !finished) {
          overflowReported = true;
          finish();
          return {
            done: false,
            value: {
              errors: [
                new GraphQLError('This subscriber fell too far behind and was dropped; resubscribe with afterSequence set to the last sequence you received.', {
                  extensions: { code: ErrorCode.RATE_LIMITED, reason: 'SLOW_SUBSCRIBER' },
                }),
              ],
            },
          };
        }
        finish();
        return { done: true, value: undefined };
      },
      async return(): Promise<IteratorResult<ExecutionResult>> {
        finish();
        return { done: true, value: undefined };
      },
      async throw(error: unknown): Promise<IteratorResult<ExecutionResult>> {
        finish();
        throw error;
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    } as AsyncIterableIterator<ExecutionResult> & AsyncGenerator<ExecutionResult>;
    return iterator;
  }

  private planFor(document: DocumentNode, query: string, operationName: string | undefined): QueryPlan {
    const key = `${operationName ?? ''}\n${query}`;
    let plan = this.plans.get(key);
    if (!plan) {
      const operation = operationFromDocument(this.apiSchema, document, { operationName });
      plan = this.planner.buildQueryPlan(operation);
      if (this.plans.size > 1000) this.plans.clear();
      this.plans.set(key, plan);
    }
    return plan;
  }
}

/**
 * graphql-ws sends each error with its toJSON(): the upstream's errors arrive as plain objects, and
 * a plain object in a result failed the client's subscription with "e.toJSON is not a function".
 * An error without a code (the query planner's own) gets the gateway's.
 */
function withGraphQLErrors(result: ExecutionResult): ExecutionResult {
  if (!result.errors?.length) return result;
  return {
    ...result,
    errors: result.errors.map((error) => {
      const plain = error as { message?: unknown; path?: readonly (string | number)[]; extensions?: Record<string, unknown> };
      const code = plain.extensions?.['code'] ?? ErrorCode.INTERNAL_SERVER_ERROR;
      if (error instanceof GraphQLError && plain.extensions?.['code'] !== undefined) return error;
      return new GraphQLError(String(plain.message ?? 'The event could not be resolved.'), { ...(plain.path ? { path: plain.path } : {}), extensions: { ...plain.extensions, code } });
    }),
  };
}

function toGraphQLError(error: unknown): GraphQLError {
  if (Array.isArray(error) && error[0]?.message) {
    const first = error[0] as { message: string; extensions?: Record<string, unknown> };
    return new GraphQLError(first.message, { extensions: first.extensions });
  }
  if (error instanceof Error) return new GraphQLError(`The subscription's source failed: ${error.message}`, { extensions: { code: ErrorCode.UNAVAILABLE } });
  return new GraphQLError('The subscription source closed unexpectedly; resubscribe with afterSequence.', { extensions: { code: ErrorCode.UNAVAILABLE } });
}
