import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestStack, type TestStack } from '@switchyard/testkit';
import { graphql, mapConcurrently, type Endpoint } from './graphql-requests.ts';
import { cpuSeconds } from './machine.ts';

/**
 * The stacks (f) compares: no tracing; every trace exported; a tenth of traces exported (head
 * sampling at the gateway); and tracing set up with no trace sampled, which is what context
 * propagation and the instrumentations cost before any span is recorded.
 */
const SIDES = ['off', 'on', 'sampled', 'unsampled'] as const;
type Side = (typeof SIDES)[number];
/** The sampler of the `sampled` stack: a tenth of the traces the gateway starts; the rest follow their parent's decision. */
export const SAMPLED_ENV = { OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.1' };
const UNSAMPLED_ENV = { OTEL_TRACES_SAMPLER: 'always_off' };

/** What (f) measured: the same load on a stack without tracing, one exporting every span, and one sampling a tenth of traces. */
export interface TracingOverhead {
  readsPerSecond: Record<Side, number>;
  workflowsPerSecond: Record<Side, number>;
  /**
   * CPU milliseconds the stack's processes spent per read and per workflow: what tracing costs,
   * measured so that other load on the machine does not blur it (throughput does blur).
   */
  cpuMsPerRead: Record<Side, number>;
  cpuMsPerWorkflow: Record<Side, number>;
  /** Spans the loopback collectors received from the traced stacks. */
  spansExported: { on: number; sampled: number; unsampled: number };
  rounds: number;
  seconds: number;
  concurrency: number;
  workflows: number;
}

/** A loopback OTLP/HTTP sink that reads and counts what it is sent, as a collector would. */
async function startSpanSink() {
  let spans = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { resourceSpans?: { scopeSpans?: { spans?: unknown[] }[] }[] };
      for (const resource of body.resourceSpans ?? []) for (const scope of resource.scopeSpans ?? []) spans += scope.spans?.length ?? 0;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, spans: () => spans, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** Closed loop: `concurrency` clients read workflow(id) back to back for `seconds`; requests per second. */
async function readThroughput(endpoint: Endpoint, workflowId: string, seconds: number, concurrency: number): Promise<number> {
  const until = Date.now() + seconds * 1000;
  let done = 0;
  const query = 'query BenchWorkflow($id: ID!) { workflow(id: $id) { id status framework output } }';
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < until) {
        await graphql(endpoint, query, { id: workflowId });
        done += 1;
      }
    }),
  );
  return done / seconds;
}

/** `count` LANGGRAPH workflows started at once; workflows finished per second, start to last end. */
async function workflowThroughput(endpoint: Endpoint, count: number): Promise<number> {
  const began = Date.now();
  const ids = await mapConcurrently(Array.from({ length: count }, (_, i) => i), 16, async (i) => {
    const { startWorkflow } = await graphql<{ startWorkflow: { id: string } }>(endpoint, 'mutation BenchStart($input: StartWorkflowInput!) { startWorkflow(input: $input) { id } }', {
      input: { input: `Process insurance claim #${10_000 + i}`, framework: 'LANGGRAPH' },
    });
    return startWorkflow.id;
  });
  for (const id of ids) {
    for (;;) {
      const { workflow } = await graphql<{ workflow: { status: string } }>(endpoint, 'query BenchStatus($id: ID!) { workflow(id: $id) { status } }', { id });
      if (!['QUEUED', 'RUNNING'].includes(workflow.status)) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return count / ((Date.now() - began) / 1000);
}

/**
 * (f) Tracing on versus off in the same run: two stacks of the same services, one with no exporter
 * (tracing off, the default) and one exporting OTLP/HTTP to a loopback sink, measured in alternating
 * rounds so drift on a shared machine falls on both alike. Reported as medians of the rounds.
 */
export async function measureTracingOverhead(options: {
  env: Record<string, string>;
  seconds: number;
  concurrency: number;
  workflows: number;
  rounds: number;
  onProgress: (message: string) => void;
}): Promise<TracingOverhead> {
  const sinks = { on: await startSpanSink(), sampled: await startSpanSink(), unsampled: await startSpanSink() };
  const only = ['gateway', 'tenants', 'selection', 'workflows', 'engine-langgraph', 'billing', 'llm-simulator'] as const;
  const stacks: Record<Side, TestStack | null> = { off: null, on: null, sampled: null, unsampled: null };
  try {
    stacks.off = await startTestStack({ env: { ...options.env, OTEL_SDK_DISABLED: 'true' }, only: [...only] });
    stacks.on = await startTestStack({ env: { ...options.env, OTEL_EXPORTER_OTLP_ENDPOINT: sinks.on.url }, only: [...only] });
    stacks.sampled = await startTestStack({ env: { ...options.env, OTEL_EXPORTER_OTLP_ENDPOINT: sinks.sampled.url, ...SAMPLED_ENV }, only: [...only] });
    stacks.unsampled = await startTestStack({ env: { ...options.env, OTEL_EXPORTER_OTLP_ENDPOINT: sinks.unsampled.url, ...UNSAMPLED_ENV }, only: [...only] });
    const endpoints = Object.fromEntries(SIDES.map((side) => [side, { url: stacks[side]!.gatewayUrl, apiKey: stacks[side]!.apiKey }])) as Record<Side, Endpoint>;
    // A finished workflow on each to read, and one warm-up round each (JIT, caches, connection pools).
    const target: Record<Side, string> = { off: '', on: '', sampled: '', unsampled: '' };
    for (const side of SIDES) {
      const { startWorkflow } = await graphql<{ startWorkflow: { id: string } }>(endpoints[side], 'mutation BenchStart($input: StartWorkflowInput!) { startWorkflow(input: $input) { id } }', {
        input: { input: 'Process insurance claim #12345', framework: 'LANGGRAPH' },
      });
      target[side] = startWorkflow.id;
      await workflowThroughput(endpoints[side], Math.min(5, options.workflows));
      await readThroughput(endpoints[side], target[side], 5, options.concurrency);
    }
    const reads: Record<Side, number[]> = { off: [], on: [], sampled: [], unsampled: [] };
    const flows: Record<Side, number[]> = { off: [], on: [], sampled: [], unsampled: [] };
    const readCpu: Record<Side, number[]> = { off: [], on: [], sampled: [], unsampled: [] };
    const flowCpu: Record<Side, number[]> = { off: [], on: [], sampled: [], unsampled: [] };
    /** CPU seconds every process of a side's stack has used so far. */
    const stackCpu = (side: Side) => {
      const supervisor = stacks[side]!.supervisor;
      return only.flatMap((service) => supervisor.replicasOf(service)).reduce((sum, handle) => sum + (handle.child?.pid ? cpuSeconds(handle.child.pid) : 0), 0);
    };
    for (let round = 0; round < options.rounds; round++) {
      // Rotate which goes first, so none always follows another's backlog.
      const order = [...SIDES.slice(round % SIDES.length), ...SIDES.slice(0, round % SIDES.length)];
      for (const side of order) {
        let cpu = stackCpu(side);
        const rate = await readThroughput(endpoints[side], target[side], options.seconds, options.concurrency);
        reads[side].push(rate);
        readCpu[side].push(((stackCpu(side) - cpu) * 1000) / (rate * options.seconds));
        cpu = stackCpu(side);
        flows[side].push(await workflowThroughput(endpoints[side], options.workflows));
        flowCpu[side].push(((stackCpu(side) - cpu) * 1000) / options.workflows);
        options.onProgress(`round ${round + 1} tracing ${side}: ${reads[side].at(-1)!.toFixed(0)} reads/s, ${flows[side].at(-1)!.toFixed(2)} workflows/s`);
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 6000)); // the last batches (5 s schedule)
    const median = (values: number[]) => {
      const sorted = [...values].sort((a, b) => a - b);
      const middle = Math.floor(sorted.length / 2);
      return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
    };
    const perSide = (values: Record<Side, number[]>) => Object.fromEntries(SIDES.map((side) => [side, median(values[side])])) as Record<Side, number>;
    return {
      readsPerSecond: perSide(reads),
      workflowsPerSecond: perSide(flows),
      cpuMsPerRead: perSide(readCpu),
      cpuMsPerWorkflow: perSide(flowCpu),
      spansExported: { on: sinks.on.spans(), sampled: sinks.sampled.spans(), unsampled: sinks.unsampled.spans() },
      rounds: options.rounds,
      seconds: options.seconds,
      concurrency: options.concurrency,
      workflows: options.workflows,
    };
  } finally {
    await Promise.all(SIDES.map((side) => stacks[side]?.stop()));
    await Promise.all(Object.values(sinks).map((sink) => sink.close()));
  }
}

/** The report's lines for (f). */
export function describeTracingOverhead(result: TracingOverhead): string[] {
  const { readsPerSecond: r, workflowsPerSecond: w, cpuMsPerRead: cr, cpuMsPerWorkflow: cw } = result;
  const more = (off: number, on: number) => `${on >= off ? '+' : ''}${(((on - off) / off) * 100).toFixed(1)} %`;
  const loss = (off: number, on: number) => `${(((off - on) / off) * 100).toFixed(1)} %`;
  return [
    `(f) tracing cost in CPU of the stack's processes (medians of ${result.rounds} rounds; a workflow(id) read through the gateway / a LANGGRAPH workflow): off ${cr.off.toFixed(2)} ms / ${cw.off.toFixed(1)} ms; set up but nothing sampled ${cr.unsampled.toFixed(2)} ms (${more(cr.off, cr.unsampled)}) / ${cw.unsampled.toFixed(1)} ms (${more(cw.off, cw.unsampled)}); a tenth sampled ${cr.sampled.toFixed(2)} ms (${more(cr.off, cr.sampled)}) / ${cw.sampled.toFixed(1)} ms (${more(cw.off, cw.sampled)}); every trace exported ${cr.on.toFixed(2)} ms (${more(cr.off, cr.on)}) / ${cw.on.toFixed(1)} ms (${more(cw.off, cw.on)}).`,
    `(f) tracing throughput (same rounds; ${result.concurrency} clients reading for ${result.seconds} s / ${result.workflows} workflows at once): off ${r.off.toFixed(0)} req/s / ${w.off.toFixed(2)} workflows/s; nothing sampled ${r.unsampled.toFixed(0)} (loss ${loss(r.off, r.unsampled)}) / ${w.unsampled.toFixed(2)} (loss ${loss(w.off, w.unsampled)}); a tenth ${r.sampled.toFixed(0)} (loss ${loss(r.off, r.sampled)}) / ${w.sampled.toFixed(2)} (loss ${loss(w.off, w.sampled)}); every trace ${r.on.toFixed(0)} (loss ${loss(r.off, r.on)}) / ${w.on.toFixed(2)} (loss ${loss(w.off, w.on)}); ${result.spansExported.on}, ${result.spansExported.sampled} and ${result.spansExported.unsampled} spans exported over OTLP/HTTP to loopback sinks.`,
  ];
}
