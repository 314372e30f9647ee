import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context, propagation, trace, type Attributes, type Context, type Span, type SpanOptions } from '@opentelemetry/api';
import { z } from 'zod';

/** The tracer every Switchyard span is made with (a no-op one while tracing is off). */
export const tracer = trace.getTracer('switchyard');

export { SpanKind, SpanStatusCode, context as traceContext, trace, type Attributes, type Span };

const flag = z
  .enum(['true', 'false', '1', '0', ''])
  .optional()
  .transform((value) => value === 'true' || value === '1');

/** The tracing settings every service reads (OpenTelemetry's own names, and Azure Monitor's). */
export const tracingEnv = z.object({
  /** true: no tracing at all, whatever else is set. */
  OTEL_SDK_DISABLED: flag,
  /** Comma-separated: otlp, azure_monitor, console, none. Unset: whatever the endpoints below configure. */
  OTEL_TRACES_EXPORTER: z.string().optional(),
  /** An OTLP/HTTP collector's base URL (traces go to <url>/v1/traces). */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().url().optional(),
  /** The full OTLP/HTTP traces URL, overriding OTEL_EXPORTER_OTLP_ENDPOINT for traces. */
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.string().url().optional(),
  /**
   * The sampler (read by the SDK itself): e.g. parentbased_traceidratio with OTEL_TRACES_SAMPLER_ARG=0.1
   * keeps a tenth of the traces the gateway starts, whole. Unset: every trace (parentbased_always_on).
   */
  OTEL_TRACES_SAMPLER: z.enum(['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio']).optional(),
  OTEL_TRACES_SAMPLER_ARG: z.coerce.number().min(0).max(1).optional(),
  /** Application Insights: traces are exported to Azure Monitor when set. */
  APPLICATIONINSIGHTS_CONNECTION_STRING: z.string().optional(),
});
export type TracingEnv = z.infer<typeof tracingEnv>;

export type TraceExporterName = 'otlp' | 'azure_monitor' | 'console';

/** Which exporters the settings ask for; empty means tracing is off. */
export function traceExporters(env: TracingEnv): TraceExporterName[] {
  if (env.OTEL_SDK_DISABLED) return [];
  if (env.OTEL_TRACES_EXPORTER !== undefined && env.OTEL_TRACES_EXPORTER.trim() !== '') {
    const names = env.OTEL_TRACES_EXPORTER.split(',').map((name) => name.trim().toLowerCase());
    if (names.includes('none')) return [];
    const known = names.filter((name): name is TraceExporterName => name === 'otlp' || name === 'azure_monitor' || name === 'console');
    const unknown = names.filter((name) => !known.includes(name as TraceExporterName));
    if (unknown.length > 0) throw new Error(`OTEL_TRACES_EXPORTER: unknown exporter ${unknown.join(', ')} (use otlp, azure_monitor, console or none)`);
    return [...new Set(known)];
  }
  const chosen: TraceExporterName[] = [];
  if (env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) chosen.push('otlp');
  if (env.APPLICATIONINSIGHTS_CONNECTION_STRING) chosen.push('azure_monitor');
  return chosen;
}

export interface Tracing {
  /** The exporters in use; empty when tracing is off. */
  exporters: TraceExporterName[];
  /** Export what is still buffered and stop (on shutdown). */
  shutdown(): Promise<void>;
}

/** Paths no span is made for: probes and scrapes, which would drown every trace backend. */
const UNTRACED_PATHS = /^\/(healthz|readyz|metrics)(\?|$)/;

/** Whether this process started tracing (traceRequests makes no span otherwise). */
let tracingStarted = false;

/**
 * Start OpenTelemetry tracing for this process, once, before its servers: a tracer provider with the
 * configured exporters (batched), the W3C trace-context propagator, and client spans with
 * `traceparent` for outgoing HTTP and fetch. Incoming requests get their server spans from
 * traceRequests(), which every server mounts first. With no exporter configured nothing is loaded and
 * every span is @opentelemetry/api's no-op.
 */
export async function startTracing(service: string, env: TracingEnv = tracingEnv.parse(process.env)): Promise<Tracing> {
  const exporters = traceExporters(env);
  if (exporters.length === 0) return { exporters, shutdown: async () => undefined };
  // Loaded only when tracing is on, so a process without it does not pay for the SDK's modules.
  const [{ NodeTracerProvider, BatchSpanProcessor, ConsoleSpanExporter }, { HttpInstrumentation }, { UndiciInstrumentation }] = await Promise.all([
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/instrumentation-http'),
    import('@opentelemetry/instrumentation-undici'),
  ]);
  type SpanExporter = ConstructorParameters<typeof BatchSpanProcessor>[0];
  const spanExporters: SpanExporter[] = [];
  for (const name of exporters) {
    if (name === 'otlp') {
      const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
      // Reads OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT, _HEADERS and _TIMEOUT itself.
      spanExporters.push(new OTLPTraceExporter());
    } else if (name === 'azure_monitor') {
      if (!env.APPLICATIONINSIGHTS_CONNECTION_STRING) throw new Error('OTEL_TRACES_EXPORTER=azure_monitor needs APPLICATIONINSIGHTS_CONNECTION_STRING');
      const { AzureMonitorTraceExporter } = await import('@azure/monitor-opentelemetry-exporter');
      spanExporters.push(new AzureMonitorTraceExporter({ connectionString: env.APPLICATIONINSIGHTS_CONNECTION_STRING }) as unknown as SpanExporter);
    } else {
      spanExporters.push(new ConsoleSpanExporter());
    }
  }
  const provider = new NodeTracerProvider({ resource: serviceResource(service), spanProcessors: spanExporters.map((exporter) => new BatchSpanProcessor(exporter)) });
  provider.register();
  const instrumentations = [
    // Outgoing node:http clients only (the Cosmos DB client, ws upgrades); fetch() is traced by the
    // undici instrumentation. Server spans come from traceRequests: this instrumentation's server side
    // was over half of tracing's own CPU in the gateway and the workflows service with nothing sampled.
    new HttpInstrumentation({ disableIncomingRequestInstrumentation: true }),
    // A request that already carries `traceparent` was propagated by a span of its caller (the
    // gateway's fetch span of a query plan): another client span under it would only repeat it.
    new UndiciInstrumentation({ ignoreRequestHook: (request) => UNTRACED_PATHS.test(request.path) || carriesTraceparent(request.headers) }),
  ];
  for (const instrumentation of instrumentations) instrumentation.setTracerProvider(provider);
  // ES modules never pass through require(), where the HTTP instrumentation hooks in: requiring http
  // once patches the module object that `import http from 'node:http'` shares.
  const require = createRequire(import.meta.url);
  require('http');
  require('https');
  tracingStarted = true;
  return {
    exporters,
    async shutdown() {
      for (const instrumentation of instrumentations) instrumentation.disable();
      await provider.shutdown();
      tracingStarted = false;
    },
  };
}

/** What traceRequests reads of an Express request: Node's, and the route Express matched. */
type RoutedRequest = IncomingMessage & { originalUrl?: string; baseUrl?: string; route?: { path?: unknown } };

/**
 * Express middleware, mounted before every other: one SERVER span per incoming request, continuing the
 * caller's `traceparent` (HTTP semantic conventions: `http.request.method`, `url.path`, `http.route`,
 * `http.response.status_code`; status ERROR from 500 up, or when the connection closed first). The
 * span is the active context for the rest of the request (body-parser runs its callbacks in the
 * context they were called in, so it survives body parsing without binding the request's listeners,
 * which the HTTP instrumentation did at a cost). Probes and scrapes get none, and nothing is done
 * while tracing is off.
 */
export function traceRequests(): (req: IncomingMessage, res: ServerResponse, next: () => void) => void {
  return (req: RoutedRequest, res, next) => {
    const url = req.originalUrl ?? req.url ?? '/';
    if (!tracingStarted || UNTRACED_PATHS.test(url)) return next();
    const method = req.method ?? 'GET';
    const query = url.indexOf('?');
    const parent = propagation.extract(ROOT_CONTEXT, req.headers);
    const span = tracer.startSpan(method, { kind: SpanKind.SERVER, attributes: { 'http.request.method': method, 'url.path': query === -1 ? url : url.slice(0, query) } }, parent);
    const active = trace.setSpan(parent, span);
    res.once('close', () => {
      if (span.isRecording()) {
        // The route is known once Express has matched it: /graphql (mounted) or /internal/budget/reserve.
        const route = `${req.baseUrl ?? ''}${typeof req.route?.path === 'string' ? req.route.path : ''}`;
        if (route) {
          span.updateName(`${method} ${route}`);
          span.setAttribute('http.route', route);
        }
        span.setAttribute('http.response.status_code', res.statusCode);
        if (!res.writableFinished) span.setStatus({ code: SpanStatusCode.ERROR, message: 'the connection closed before the response was sent' });
        else if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      }
      span.end();
    });
    context.with(active, next);
  };
}

/** Whether undici request headers ([k, v, ...] in undici 6+, raw lines before) carry a traceparent. */
function carriesTraceparent(headers: unknown): boolean {
  if (Array.isArray(headers)) {
    for (let i = 0; i < headers.length; i += 2) if (String(headers[i]).toLowerCase() === 'traceparent') return true;
    return false;
  }
  return typeof headers === 'string' && /(^|\r\n)traceparent:/i.test(headers);
}

type TracerResource = NonNullable<ConstructorParameters<typeof import('@opentelemetry/sdk-trace-node').NodeTracerProvider>[0]>['resource'];

/**
 * The process's resource: service.name (OTEL_SERVICE_NAME, else the service), namespace, instance.
 * Built with the @opentelemetry/resources the SDK itself depends on: the copy at the top of
 * node_modules is an older major that @apollo/gateway pins, and a resource of another major does not
 * merge with the SDK's own.
 */
function serviceResource(service: string): TracerResource {
  const sdkRequire = createRequire(import.meta.resolve('@opentelemetry/sdk-trace-node'));
  const { resourceFromAttributes } = sdkRequire('@opentelemetry/resources') as { resourceFromAttributes(attributes: Record<string, string>): TracerResource };
  return resourceFromAttributes({
    'service.name': process.env.OTEL_SERVICE_NAME || service,
    'service.namespace': 'switchyard',
    'service.instance.id': `${process.env.HOSTNAME ?? 'local'}:${process.pid}`,
  });
}

/** The W3C trace-context headers of a context (the active one by default); empty when none is sampled. */
export function traceHeaders(from: Context = context.active()): { traceparent?: string; tracestate?: string } {
  const carrier: Record<string, string> = {};
  propagation.inject(from, carrier);
  return carrier;
}

/** The context a stored or received `traceparent` (and `tracestate`) continue. */
export function contextFromTraceHeaders(carrier: { traceparent?: string | null; tracestate?: string | null } | null | undefined): Context {
  if (!carrier?.traceparent) return ROOT_CONTEXT;
  return propagation.extract(ROOT_CONTEXT, { traceparent: carrier.traceparent, ...(carrier.tracestate ? { tracestate: carrier.tracestate } : {}) });
}

/**
 * Run `work` in a new active span: its exceptions are recorded on the span (status ERROR) and
 * rethrown; the span ends when `work` settles.
 */
export async function inSpan<T>(name: string, options: SpanOptions & { parent?: Context }, work: (span: Span) => Promise<T>): Promise<T> {
  const { parent, ...spanOptions } = options;
  return tracer.startActiveSpan(name, spanOptions, parent ?? context.active(), async (span) => {
    try {
      return await work(span);
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error)?.message });
      throw error;
    } finally {
      span.end();
    }
  });
}

/** The active span's ids for a log line, or nothing when no span is recording. */
export function activeTraceIds(): { trace_id: string; span_id: string } | undefined {
  const span = trace.getSpan(context.active());
  if (!span) return undefined;
  const { traceId, spanId, traceFlags } = span.spanContext();
  if (!traceFlags && !span.isRecording()) return undefined;
  return { trace_id: traceId, span_id: spanId };
}
