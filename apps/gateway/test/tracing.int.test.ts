import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestStack, type TestStack } from '@switchyard/testkit';

/** One span as OTLP/HTTP JSON carries it, with the service (resource) it came from. */
interface ExportedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: Record<string, string | number | boolean | string[]>;
}

type OtlpValue = { stringValue?: string; intValue?: string | number; doubleValue?: number; boolValue?: boolean; arrayValue?: { values?: OtlpValue[] } };
type OtlpAttribute = { key: string; value: OtlpValue };

function valueOf(value: OtlpValue): string | number | boolean | string[] {
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.boolValue !== undefined) return value.boolValue;
  return (value.arrayValue?.values ?? []).map((item) => String(valueOf(item)));
}

const attributesOf = (list: OtlpAttribute[] | undefined) => Object.fromEntries((list ?? []).map(({ key, value }) => [key, valueOf(value)]));

/**
 * A loopback OTLP/HTTP receiver: what the services' exporters really POST to /v1/traces (JSON, the
 * encoding of @opentelemetry/exporter-trace-otlp-http), decoded into spans, and every raw body kept.
 */
async function startOtlpReceiver() {
  const spans: ExportedSpan[] = [];
  const bodies: string[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      if (req.url !== '/v1/traces' || !String(req.headers['content-type']).startsWith('application/json')) {
        res.writeHead(415).end();
        return;
      }
      bodies.push(body);
      const request = JSON.parse(body) as {
        resourceSpans: { resource: { attributes: OtlpAttribute[] }; scopeSpans: { spans: (Omit<ExportedSpan, 'service' | 'attributes'> & { attributes?: OtlpAttribute[] })[] }[] }[];
      };
      for (const resourceSpans of request.resourceSpans) {
        const service = String(attributesOf(resourceSpans.resource.attributes)['service.name']);
        for (const scope of resourceSpans.scopeSpans) {
          for (const span of scope.spans) spans.push({ ...span, service, attributes: attributesOf(span.attributes), parentSpanId: span.parentSpanId || undefined });
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, spans, bodies, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('one trace per workflow, across every service', () => {
  let stack: TestStack;
  let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    stack = await startTestStack({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_BSP_SCHEDULE_DELAY: '200', LOG_LEVEL: 'warn' } });
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
    await receiver?.close();
  });

  it("sends a hybrid workflow's spans from the gateway, workflows, the three engines and billing as one connected trace, with GenAI model spans and no prompt text", async () => {
    // The client starts the trace: the gateway must continue it, not start its own.
    const traceId = randomBytes(16).toString('hex');
    const clientSpanId = randomBytes(8).toString('hex');
    const input = 'Analyze sales data for the Zanzibar-7 account and generate executive report with recommendations';
    const response = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.apiKey}`, traceparent: `00-${traceId}-${clientSpanId}-01` },
      body: JSON.stringify({
        query: 'mutation Start($input: StartWorkflowInput!) { startWorkflow(input: $input) { id } }',
        variables: { input: { input, framework: 'HYBRID', hints: { needsResearch: true, needsCode: true } } },
      }),
    });
    const started = (await response.json()) as { data?: { startWorkflow: { id: string } }; errors?: unknown[] };
    expect(started.errors).toBeUndefined();
    const workflowId = started.data!.startWorkflow.id;
    const status = await eventually(async () => {
      const answer = await fetch(stack.gatewayUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.apiKey}` },
        body: JSON.stringify({ query: 'query W($id: ID!) { workflow(id: $id) { status error } }', variables: { id: workflowId } }),
      });
      const { data } = (await answer.json()) as { data: { workflow: { status: string; error: string | null } } };
      return ['SUCCEEDED', 'FAILED'].includes(data.workflow.status) ? data.workflow : undefined;
    }, 120_000, 300);
    expect(status).toEqual({ status: 'SUCCEEDED', error: null });

    const services = ['gateway', 'workflows', 'engine-langgraph', 'engine-crewai', 'engine-autogen', 'billing'];
    // Spans are exported in batches; wait until the usage of the last model call was recorded in billing.
    const trace = await eventually(async () => {
      const ours = receiver.spans.filter((span) => span.traceId === traceId);
      const seen = new Set(ours.map((span) => span.service));
      const finalizeChats = ours.filter((span) => span.name.startsWith('chat ') && span.service === 'engine-langgraph').length;
      return services.every((service) => seen.has(service)) && finalizeChats >= 2 && ours.some((span) => span.name === 'workflow.run') ? ours : undefined;
    }, 30_000, 250).catch((error: unknown) => {
      const summary = receiver.spans.map((span) => `${span.traceId === traceId ? 'T' : '-'} ${span.traceId.slice(0, 6)} ${span.service} ${span.name} ${span.parentSpanId ?? ''}`);
      console.log(summary.slice(0, 200).join('\n'));
      throw error;
    });
    // Let the last batches (billing's usage records of the final calls) arrive.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const spans = receiver.spans.filter((span) => span.traceId === traceId);
    expect(spans.length).toBeGreaterThanOrEqual(trace.length);

    // Connected: every span's parent is in the trace, except the root, whose parent is the client's span.
    const ids = new Set(spans.map((span) => span.spanId));
    const orphans = spans.filter((span) => span.parentSpanId && !ids.has(span.parentSpanId) && span.parentSpanId !== clientSpanId);
    expect(orphans.map((span) => `${span.service}: ${span.name}`)).toEqual([]);
    const roots = spans.filter((span) => span.parentSpanId === clientSpanId);
    expect(roots.map((span) => span.service)).toEqual(['gateway']);
    expect(spans.every((span) => span.parentSpanId)).toBe(true);

    // The gateway's own spans for the request, its query plan and the subgraph fetch.
    const gatewayNames = new Set(spans.filter((span) => span.service === 'gateway').map((span) => span.name));
    expect([...gatewayNames]).toEqual(expect.arrayContaining(['gateway.request', 'gateway.plan', 'gateway.fetch']));

    // The workflow's run, its four stages, and an engine run on each framework.
    const run = spans.find((span) => span.name === 'workflow.run')!;
    expect(run.attributes).toMatchObject({ 'switchyard.workflow.id': workflowId, 'switchyard.framework': 'HYBRID', 'switchyard.tenant.id': stack.tenantId });
    expect(spans.filter((span) => span.name.startsWith('stage ')).map((span) => span.name).sort()).toEqual(['stage code', 'stage finalize', 'stage orchestrate', 'stage research']);
    const agents = spans.filter((span) => span.attributes['gen_ai.operation.name'] === 'invoke_agent');
    expect(new Set(agents.map((span) => `${span.service}:${span.attributes['switchyard.framework']}`))).toEqual(new Set(['engine-langgraph:LANGGRAPH', 'engine-crewai:CREWAI', 'engine-autogen:AUTOGEN']));

    // Model calls: GenAI chat spans on every engine with model, provider, usage and the run's ids.
    const chats = spans.filter((span) => span.attributes['gen_ai.operation.name'] === 'chat');
    expect(new Set(chats.map((span) => span.service))).toEqual(new Set(['engine-langgraph', 'engine-crewai', 'engine-autogen']));
    for (const chat of chats) {
      expect(chat.name).toBe(`chat ${chat.attributes['gen_ai.request.model']}`);
      expect(chat.kind).toBe(3); // CLIENT
      expect(chat.attributes).toMatchObject({ 'gen_ai.provider.name': 'switchyard.simulator', 'switchyard.tenant.id': stack.tenantId });
      expect(typeof chat.attributes['gen_ai.response.model']).toBe('string');
      expect(chat.attributes['gen_ai.usage.input_tokens']).toBeGreaterThan(0);
      expect(chat.attributes['gen_ai.usage.output_tokens']).toBeGreaterThan(0);
      expect(String(chat.attributes['switchyard.workflow.id'])).toContain(workflowId);
      expect(chat.attributes['gen_ai.input.messages']).toBeUndefined();
      expect(chat.attributes['gen_ai.output.messages']).toBeUndefined();
    }

    // Billing's internal calls are in the trace: reservations under the model call, usage priced.
    const billing = spans.filter((span) => span.service === 'billing');
    const reserve = billing.find((span) => String(span.attributes['url.path'] ?? span.attributes['http.target'] ?? '').includes('/internal/budget/reserve'));
    expect(reserve, billing.map((span) => span.name).join(', ')).toBeDefined();
    const priced = billing.filter((span) => span.attributes['switchyard.cost_usd'] !== undefined);
    expect(priced.length).toBeGreaterThan(0);
    expect(priced.every((span) => Number(span.attributes['switchyard.cost_usd']) > 0)).toBe(true);

    // Nothing the tenant sent reached the trace backend.
    expect(receiver.bodies.some((body) => body.includes('Zanzibar-7'))).toBe(false);
  }, 240_000);
});
