import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTracing, traceRequests, type Tracing } from './tracing.ts';

interface SentSpan {
  traceId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  status?: { code?: number };
  attributes: Record<string, unknown>;
}

/** A loopback OTLP/HTTP receiver: the spans the exporter really sent. */
async function startReceiver() {
  const spans: SentSpan[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { resourceSpans: { scopeSpans: { spans: Array<Omit<SentSpan, 'attributes'> & { attributes: { key: string; value: Record<string, unknown> }[] }> }[] }[] };
      for (const resource of body.resourceSpans) {
        for (const scope of resource.scopeSpans) {
          for (const span of scope.spans) spans.push({ ...span, attributes: Object.fromEntries(span.attributes.map(({ key, value }) => [key, Object.values(value)[0]])) });
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, spans, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('traceRequests (server spans of every service)', () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let tracing: Tracing;
  let server: http.Server;
  let base: string;

  beforeAll(async () => {
    receiver = await startReceiver();
    process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT = `${receiver.url}/v1/traces`;
    tracing = await startTracing('trace-requests-test', { OTEL_SDK_DISABLED: false, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.url}/v1/traces` });
    const app = express();
    app.use(traceRequests());
    app.get('/healthz', (_req, res) => void res.json({ ok: true }));
    app.post('/internal/budget/:id', express.json(), async (req, res) => {
      // After the body parser and an await, the request's span is still the active one.
      await new Promise((resolve) => setTimeout(resolve, 5));
      const { trace, context } = await import('@opentelemetry/api');
      res.json({ got: req.body, spanName: (trace.getSpan(context.active()) as unknown as { name?: string })?.name ?? null });
    });
    app.get('/broken', (_req, res) => void res.status(503).json({ error: 'down' }));
    server = http.createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    await receiver?.close();
    delete process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  });

  it("continues the caller's trace, names the span by its route, keeps it active past the body parser, and marks 5xx as errors; probes get none", async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const posted = await fetch(`${base}/internal/budget/r-1?x=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
      body: JSON.stringify({ usd: 1 }),
    });
    expect(await posted.json()).toEqual({ got: { usd: 1 }, spanName: 'POST' });
    expect((await fetch(`${base}/broken`)).status).toBe(503);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    await tracing.shutdown();

    const server = receiver.spans.filter((span) => span.kind === 2);
    expect(server.map((span) => span.name).sort()).toEqual(['GET /broken', 'POST /internal/budget/:id']);
    const budget = server.find((span) => span.name === 'POST /internal/budget/:id')!;
    expect(budget).toMatchObject({ traceId, parentSpanId: '00f067aa0ba902b7' });
    expect(budget.attributes).toMatchObject({ 'http.request.method': 'POST', 'url.path': '/internal/budget/r-1', 'http.route': '/internal/budget/:id', 'http.response.status_code': 200 });
    const broken = server.find((span) => span.name === 'GET /broken')!;
    expect(broken.status?.code).toBe(2); // ERROR
    expect(broken.traceId).not.toBe(traceId);
  });
});
