import type { ApolloServerPlugin, GraphQLRequestContext } from '@apollo/server';
import type express from 'express';
import { Kind, type OperationDefinitionNode } from 'graphql';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Seconds: from a fast in-memory answer to a slow federated one. */
const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The operation a request ran, as a label with a bounded set of values: its type and root fields
 * (names from the schema, not the client's operation name, which is free text).
 */
export function operationLabel(operation: OperationDefinitionNode | undefined | null): string {
  if (!operation) return 'unparsed';
  const fields = operation.selectionSet.selections
    .map((selection) => (selection.kind === Kind.FIELD ? selection.name.value : null))
    .filter((name): name is string => name !== null && !name.startsWith('__'))
    .sort();
  const introspection = fields.length === 0 && operation.selectionSet.selections.length > 0;
  return `${operation.operation}:${introspection ? '__introspection' : [...new Set(fields)].slice(0, 4).join(',') || 'none'}`;
}

/**
 * One process's Prometheus metrics (prom-client): the Node.js runtime's (CPU, memory, GC, event-loop
 * lag), GraphQL requests, errors and duration per operation, and whatever the service adds
 * (workflows by status, model calls and cost, subscriptions open). Served as text at /metrics.
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  readonly operations: Counter<'operation' | 'outcome'>;
  readonly operationSeconds: Histogram<'operation'>;
  readonly errors: Counter<'operation' | 'code'>;

  constructor(readonly service: string) {
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry, prefix: 'switchyard_', eventLoopMonitoringPrecision: 20 });
    this.operations = this.counter('switchyard_graphql_requests_total', 'GraphQL operations answered, by operation and outcome (ok or error).', ['operation', 'outcome']);
    this.operationSeconds = this.histogram('switchyard_graphql_request_duration_seconds', 'Time to answer a GraphQL operation, by operation.', ['operation']);
    this.errors = this.counter('switchyard_graphql_errors_total', 'GraphQL errors answered, by operation and extensions.code.', ['operation', 'code']);
  }

  counter<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
    return (this.registry.getSingleMetric(name) as Counter<L> | undefined) ?? new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  gauge<L extends string>(name: string, help: string, labelNames: readonly L[] = [], collect?: (gauge: Gauge<L>) => void | Promise<void>): Gauge<L> {
    const existing = this.registry.getSingleMetric(name) as Gauge<L> | undefined;
    if (existing) return existing;
    return new Gauge({
      name,
      help,
      labelNames,
      registers: [this.registry],
      ...(collect
        ? {
            async collect(this: Gauge<L>) {
              await collect(this);
            },
          }
        : {}),
    });
  }

  histogram<L extends string>(name: string, help: string, labelNames: readonly L[] = [], buckets: number[] = DURATION_BUCKETS): Histogram<L> {
    return (this.registry.getSingleMetric(name) as Histogram<L> | undefined) ?? new Histogram({ name, help, labelNames, buckets, registers: [this.registry] });
  }

  /**
   * Remove every series labelled with this tenant (tenant="<id>") from the registry: telemetry a
   * tenant owns goes with the rest of its data when it is erased (decision 023).
   */
  async forgetTenant(tenantId: string): Promise<number> {
    let removed = 0;
    // getMetricsAsArray is typed as plain metric objects; each is a prom-client metric with get() and remove().
    for (const metric of this.registry.getMetricsAsArray() as unknown as Array<{ get(): Promise<{ values: { labels: Record<string, string | number | undefined> }[] }>; remove(labels: Record<string, string | number>): void }>) {
      const { values } = await metric.get();
      const series = new Map<string, Record<string, string | number>>();
      for (const { labels } of values) {
        if (String(labels.tenant) !== tenantId) continue;
        // A histogram's buckets and a summary's quantiles are parts of one series.
        const { le: _le, quantile: _quantile, ...own } = labels as Record<string, string | number>;
        series.set(JSON.stringify(own), own);
      }
      for (const labels of series.values()) metric.remove(labels);
      removed += series.size;
    }
    return removed;
  }

  /** An Apollo Server plugin that counts and times every operation. */
  apolloPlugin<C extends object>(): ApolloServerPlugin<C> {
    const metrics = this;
    return {
      async requestDidStart() {
        const started = process.hrtime.bigint();
        let codes: string[] = [];
        return {
          async didEncounterErrors(context: GraphQLRequestContext<C>) {
            codes = (context.errors ?? []).map((error) => String(error.extensions?.code ?? 'INTERNAL_SERVER_ERROR'));
          },
          async willSendResponse(context: GraphQLRequestContext<C>) {
            const operation = operationLabel(context.operation);
            metrics.operationSeconds.observe({ operation }, Number(process.hrtime.bigint() - started) / 1e9);
            metrics.operations.inc({ operation, outcome: codes.length > 0 ? 'error' : 'ok' });
            for (const code of new Set(codes)) metrics.errors.inc({ operation, code });
          },
        };
      },
    };
  }

  /** GET /metrics in the Prometheus text format. */
  mount(app: express.Express): void {
    app.get('/metrics', async (_req, res) => {
      try {
        res.setHeader('content-type', this.registry.contentType);
        res.send(await this.registry.metrics());
      } catch (error) {
        res.status(500).type('text/plain').send(`metrics could not be collected: ${(error as Error).message}`);
      }
    });
  }
}
export type { Counter, Gauge, Histogram } from 'prom-client';
