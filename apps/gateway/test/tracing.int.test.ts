import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { eventually, startTestStack, type TestStack } from '@switchyard/testkit';

/** One span as OTLP/HTTP JSON carries it, with the service (resource) it came from. */
interface ExportedSpan {
  service: string;
  /** service.instance.id: host and pid, so spans of a restarted process are told apart. */
  instance: string;
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
        const resource = attributesOf(resourceSpans.resource.attributes);
        const service = String(resource['service.name']);
        const instance = String(resource['service.instance.id']);
        for (const scope of resourceSpans.scopeSpans) {
          for (const span of scope.spans) spans.push({ ...span, service, instance, attributes: attributesOf(span.attributes), parentSpanId: span.parentSpanId || undefined });
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, spans, bodies, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

type GraphQLAnswer<T> = { data?: T; errors?: { message: string; extensions?: { code?: string } }[] };

function newTrace() {
  const traceId = randomBytes(16).toString('hex');
  const clientSpanId = randomBytes(8).toString('hex');
  return { traceId, clientSpanId, traceparent: `00-${traceId}-${clientSpanId}-01` };
}

/** The spans of a trace, each with the chain of its ancestors' names (nearest first) that were exported. */
function ancestry(spans: ExportedSpan[]) {
  const byId = new Map(spans.map((span) => [span.spanId, span]));
  return (span: ExportedSpan): ExportedSpan[] => {
    const chain: ExportedSpan[] = [];
    for (let parent = span.parentSpanId ? byId.get(span.parentSpanId) : undefined; parent; parent = parent.parentSpanId ? byId.get(parent.parentSpanId) : undefined) chain.push(parent);
    return chain;
  };
}

describe('one trace per workflow, across every service', () => {
  let stack: TestStack;
  let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    // Model replies take a while, so a workflow is still running when its orchestrator is killed;
    // short leases, so the restarted one takes the workflow back soon.
    stack = await startTestStack({
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_BSP_SCHEDULE_DELAY: '200', LOG_LEVEL: 'warn', LLM_SIMULATOR_LATENCY_MS: '250', WORKFLOWS_LEASE_MS: '2000', WORKFLOWS_RECOVERY_INTERVAL_MS: '300' },
    });
  }, 180_000);

  async function gql<T>(key: string, query: string, variables: Record<string, unknown> = {}, traceparent?: string): Promise<GraphQLAnswer<T>> {
    const response = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, ...(traceparent ? { traceparent } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as GraphQLAnswer<T>;
  }

  async function startWorkflow(key: string, input: string, framework: string, traceparent?: string, definition?: unknown): Promise<string> {
    const started = await gql<{ startWorkflow: { id: string } }>(
      key,
      'mutation Start($input: StartWorkflowInput!) { startWorkflow(input: $input) { id } }',
      { input: { input, framework, ...(definition ? { definition } : {}) } },
      traceparent,
    );
    expect(started.errors).toBeUndefined();
    return started.data!.startWorkflow.id;
  }

  async function finished(key: string, id: string): Promise<{ status: string; error: string | null }> {
    return eventually(async () => {
      const { data } = await gql<{ workflow: { status: string; error: string | null } }>(key, 'query W($id: ID!) { workflow(id: $id) { status error } }', { id });
      return ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(data!.workflow.status) ? data!.workflow : undefined;
    }, 120_000, 200);
  }

  /** The spans of a trace once `ready` holds of them (exports come in batches). */
  async function traceSpans(traceId: string, ready: (spans: ExportedSpan[]) => boolean): Promise<ExportedSpan[]> {
    return eventually(async () => {
      const spans = receiver.spans.filter((span) => span.traceId === traceId);
      return ready(spans) ? spans : undefined;
    }, 30_000, 200).catch((error: unknown) => {
      console.log(receiver.spans.filter((span) => span.traceId === traceId).map((span) => `${span.service} ${span.instance} ${span.name} ${span.spanId} <- ${span.parentSpanId ?? ''}`).join('\n'));
      throw error;
    });
  }

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

  it("records prompts and completions on the model spans of a tenant that opted in, and only in its runs started while it is opted in", async () => {
    const { data: created } = await gql<{ createTenant: { tenant: { id: string }; secret: string } }>(stack.adminKey, 'mutation { createTenant(input: { name: "Umbrella", plan: "team" }) { tenant { id } secret } }');
    const other = created!.createTenant.secret;
    const SET = 'mutation Set($input: UpdateTenantSettingsInput!) { updateTenantSettings(input: $input) { settings { telemetry { keepPrompts } } } }';
    const refused = await gql(other, SET, { input: { telemetry: { keepPrompts: 'yes' } } });
    expect(refused.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const opted = await gql<{ updateTenantSettings: { settings: { telemetry: { keepPrompts: boolean } } } }>(other, SET, { input: { telemetry: { keepPrompts: true } } });
    expect(opted.errors).toBeUndefined();
    expect(opted.data!.updateTenantSettings.settings.telemetry).toEqual({ keepPrompts: true });
    // The dev tenant did not opt in, and another tenant's choice is not its.
    const mine = await gql<{ tenant: { settings: { telemetry: { keepPrompts: boolean } } } }>(stack.apiKey, 'query T($id: ID!) { tenant(id: $id) { settings { telemetry { keepPrompts } } } }', { id: stack.tenantId });
    expect(mine.data!.tenant.settings.telemetry).toEqual({ keepPrompts: false });

    // Both tenants' runs at once, on the same engine processes.
    const redactedTrace = newTrace();
    const keptTrace = newTrace();
    // A tool call, then two model calls: tool and model spans in both runs.
    const definition = {
      graph: {
        state: { total: {}, summary: {}, final: {} },
        entry: 'compute',
        nodes: {
          compute: { kind: 'tool', tool: 'calculator', args: { expression: '1234 * 3' }, writeTo: 'total', next: 'draft' },
          draft: { kind: 'model', prompt: 'Summarise: {{input}} (total {{total}})', writeTo: 'summary', next: 'polish' },
          polish: { kind: 'model', prompt: 'Polish this summary: {{summary}}', writeTo: 'final', next: 'END' },
        },
        output: '{{final}}',
      },
    };
    const [redactedId, keptId] = await Promise.all([
      startWorkflow(stack.apiKey, 'Summarise the Quokka-3 supplier contract and list its renewal risks', 'LANGGRAPH', redactedTrace.traceparent, definition),
      startWorkflow(other, 'Summarise the Wombat-9 supplier contract and list its renewal risks', 'LANGGRAPH', keptTrace.traceparent, definition),
    ]);
    expect(await finished(stack.apiKey, redactedId)).toEqual({ status: 'SUCCEEDED', error: null });
    expect(await finished(other, keptId)).toEqual({ status: 'SUCCEEDED', error: null });
    const chatsOf = (spans: ExportedSpan[]) => spans.filter((span) => span.attributes['gen_ai.operation.name'] === 'chat');
    const hasRun = (spans: ExportedSpan[]) => spans.some((span) => span.name === 'workflow.run') && chatsOf(spans).length >= 2 && spans.some((span) => span.name.startsWith('invoke_agent'));
    const [redacted, kept] = await Promise.all([traceSpans(redactedTrace.traceId, hasRun), traceSpans(keptTrace.traceId, hasRun)]);

    for (const chat of chatsOf(kept)) {
      expect(chat.attributes['switchyard.tenant.id']).toBe(created!.createTenant.tenant.id);
      const input = JSON.parse(String(chat.attributes['gen_ai.input.messages'])) as { role: string; parts: { type: string; content?: string }[] }[];
      expect(input.length).toBeGreaterThan(0);
      expect(input.every((message) => typeof message.role === 'string' && Array.isArray(message.parts))).toBe(true);
      expect(Buffer.byteLength(String(chat.attributes['gen_ai.input.messages']))).toBeLessThanOrEqual(16 * 1024);
      const output = JSON.parse(String(chat.attributes['gen_ai.output.messages'])) as { role: string; finish_reason: string }[];
      expect(output).toEqual([expect.objectContaining({ role: 'assistant', finish_reason: expect.any(String) })]);
    }
    expect(chatsOf(kept).some((chat) => String(chat.attributes['gen_ai.input.messages']).includes('Wombat-9'))).toBe(true);
    const toolsOf = (spans: ExportedSpan[]) => spans.filter((span) => span.attributes['gen_ai.operation.name'] === 'execute_tool');
    expect(toolsOf(kept).map((tool) => [tool.name, JSON.parse(String(tool.attributes['gen_ai.tool.call.arguments'])), tool.attributes['gen_ai.tool.call.result']])).toEqual([
      ['execute_tool calculator', { expression: '1234 * 3' }, expect.stringContaining('3702')],
    ]);
    expect(toolsOf(redacted).map((tool) => tool.name)).toEqual(['execute_tool calculator']);

    for (const span of redacted) {
      expect(span.attributes['gen_ai.input.messages']).toBeUndefined();
      expect(span.attributes['gen_ai.output.messages']).toBeUndefined();
      expect(span.attributes['gen_ai.tool.call.arguments']).toBeUndefined();
      expect(span.attributes['gen_ai.tool.call.result']).toBeUndefined();
    }
    expect(chatsOf(redacted).length).toBeGreaterThanOrEqual(2);
    expect(receiver.bodies.some((body) => body.includes('Quokka-3'))).toBe(false);
    expect(JSON.stringify(redacted)).not.toContain('Wombat-9');

    // Opting out applies to the next workflow it starts.
    expect((await gql(other, SET, { input: { telemetry: { keepPrompts: false } } })).errors).toBeUndefined();
    const laterTrace = newTrace();
    const laterId = await startWorkflow(other, 'Summarise the Numbat-4 supplier contract and list its renewal risks', 'LANGGRAPH', laterTrace.traceparent);
    expect(await finished(other, laterId)).toEqual({ status: 'SUCCEEDED', error: null });
    const later = await traceSpans(laterTrace.traceId, hasRun);
    expect(chatsOf(later).every((chat) => chat.attributes['gen_ai.input.messages'] === undefined)).toBe(true);
    expect(receiver.bodies.some((body) => body.includes('Numbat-4'))).toBe(false);
  }, 180_000);

  it("continues a client's trace through a graphql-ws subscription: the workflows subgraph's subscription span is in it, under the gateway's", async () => {
    const workflowId = await startWorkflow(stack.apiKey, 'Draft the onboarding checklist for new claims handlers', 'LANGGRAPH');
    const { traceId, clientSpanId, traceparent } = newTrace();
    const socket = new WebSocket(stack.gatewayUrl.replace(/^http/, 'ws'), 'graphql-transport-ws');
    const events: string[] = [];
    await new Promise<void>((resolve, reject) => {
      socket.on('error', reject);
      socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${stack.apiKey}` } })));
      socket.on('message', (raw) => {
        const message = JSON.parse(String(raw)) as { type: string; payload?: { data?: { workflowEvents: { type: string } }; message?: string } | { message: string }[] };
        if (message.type === 'connection_ack') {
          socket.send(
            JSON.stringify({
              id: '1',
              type: 'subscribe',
              payload: { query: 'subscription Progress($id: ID!) { workflowEvents(workflowId: $id) { type sequence } }', variables: { id: workflowId }, operationName: 'Progress', extensions: { traceparent } },
            }),
          );
        } else if (message.type === 'next') {
          events.push((message.payload as { data: { workflowEvents: { type: string } } }).data.workflowEvents.type);
        } else if (message.type === 'complete') {
          resolve();
        } else if (message.type === 'error') {
          reject(new Error(JSON.stringify(message.payload)));
        }
      });
    });
    socket.close();
    expect(events.at(-1)).toBe('WORKFLOW_SUCCEEDED');

    const spans = await traceSpans(traceId, (found) => found.some((span) => span.service === 'workflows' && span.name.startsWith('subscription ')) && found.some((span) => span.service === 'gateway'));
    const ids = new Set(spans.map((span) => span.spanId));
    const upstream = spans.find((span) => span.service === 'workflows' && span.name.startsWith('subscription '))!;
    expect(upstream.kind).toBe(2); // SERVER
    expect(upstream.attributes['switchyard.tenant.id']).toBe(stack.tenantId);
    expect(ids.has(upstream.parentSpanId!)).toBe(true);
    const parent = spans.find((span) => span.spanId === upstream.parentSpanId)!;
    expect(parent).toMatchObject({ service: 'gateway', name: 'subscription Progress', parentSpanId: clientSpanId });
  }, 120_000);

  it("puts the run that continues a workflow after its orchestrator was killed into the trace the workflow was started in", async () => {
    const { traceId, traceparent } = newTrace();
    const workflowId = await startWorkflow(stack.apiKey, 'Reconcile the Q3 invoice batch for the northern region', 'LANGGRAPH', traceparent);
    await eventually(async () => {
      const { data } = await gql<{ workflow: { events: { type: string }[] } }>(stack.apiKey, 'query W($id: ID!) { workflow(id: $id) { events { type } } }', { id: workflowId });
      return data?.workflow.events.some((event) => event.type === 'MODEL_CALL') ? true : undefined;
    }, 30_000, 50);
    const restarted = stack.supervisor.waitReady('workflows');
    stack.supervisor.kill('workflows', 'SIGKILL');
    await restarted;
    expect(await finished(stack.apiKey, workflowId)).toEqual({ status: 'SUCCEEDED', error: null });

    const resumedRun = (spans: ExportedSpan[]) => spans.find((span) => span.name === 'workflow.run' && span.attributes['switchyard.workflow.resumed'] === true);
    const spans = await traceSpans(traceId, (found) => {
      const run = resumedRun(found);
      return !!run && found.some((span) => span.attributes['gen_ai.operation.name'] === 'chat' && ancestry(found)(span).includes(run));
    });
    const run = resumedRun(spans)!;
    const startedIn = spans.find((span) => span.service === 'workflows' && span.instance !== run.instance);
    // The workflow was started by the first process, and continued by another one, in the same trace.
    expect(startedIn, 'spans of the killed process').toBeDefined();
    expect(run.attributes).toMatchObject({ 'switchyard.workflow.id': workflowId, 'switchyard.tenant.id': stack.tenantId });
    expect(spans.some((span) => span.spanId === run.parentSpanId)).toBe(true);
    const ancestorsOf = ancestry(spans);
    const resumedAgent = spans.find((span) => span.name === 'invoke_agent langgraph' && ancestorsOf(span).includes(run));
    expect(resumedAgent?.service).toBe('engine-langgraph');
    const resumedChats = spans.filter((span) => span.attributes['gen_ai.operation.name'] === 'chat' && ancestorsOf(span).includes(resumedAgent!));
    expect(resumedChats.length).toBeGreaterThan(0);
    expect(resumedChats.every((chat) => chat.attributes['switchyard.workflow.id'] === workflowId)).toBe(true);
  }, 150_000);
});
