import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestStack, type TestStack } from '@switchyard/testkit';
import { graphql, mapConcurrently, type Endpoint } from './graphql-requests.ts';

/** What (f) measured: the same load on a stack without tracing and on one exporting every span. */
export interface TracingOverhead {
  readsPerSecond: { off: number; on: number };
  workflowsPerSecond: { off: number; on: number };
  /** Spans the loopback collector received from the traced stack. */
  spansExported: number;
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
  const sink = await startSpanSink();
  const only = ['gateway', 'tenants', 'selection', 'workflows', 'engine-langgraph', 'billing', 'llm-simulator'] as const;
  const stacks: Record<'off' | 'on', TestStack | null> = { off: null, on: null };
  try {
    stacks.off = await startTestStack({ env: { ...options.env, OTEL_SDK_DISABLED: 'true' }, only: [...only] });
    stacks.on = await startTestStack({ env: { ...options.env, OTEL_EXPORTER_OTLP_ENDPOINT: sink.url }, only: [...only] });
    const endpoints = { off: { url: stacks.off.gatewayUrl, apiKey: stacks.off.apiKey }, on: { url: stacks.on.gatewayUrl, apiKey: stacks.on.apiKey } };
    // A finished workflow on each to read, and one warm-up round each (JIT, caches, connection pools).
    const target = { off: '', on: '' };
    for (const side of ['off', 'on'] as const) {
      const { startWorkflow } = await graphql<{ startWorkflow: { id: string } }>(endpoints[side], 'mutation BenchStart($input: StartWorkflowInput!) { startWorkflow(input: $input) { id } }', {
        input: { input: 'Process insurance claim #12345', framework: 'LANGGRAPH' },
      });
      target[side] = startWorkflow.id;
      await workflowThroughput(endpoints[side], Math.min(5, options.workflows));
      await readThroughput(endpoints[side], target[side], 2, options.concurrency);
    }
    const reads = { off: [] as number[], on: [] as number[] };
    const flows = { off: [] as number[], on: [] as number[] };
    for (let round = 0; round < options.rounds; round++) {
      // Alternate which goes first, so neither side always follows the other's backlog.
      for (const side of round % 2 === 0 ? (['off', 'on'] as const) : (['on', 'off'] as const)) {
        reads[side].push(await readThroughput(endpoints[side], target[side], options.seconds, options.concurrency));
        flows[side].push(await workflowThroughput(endpoints[side], options.workflows));
        options.onProgress(`round ${round + 1} tracing ${side}: ${reads[side].at(-1)!.toFixed(0)} reads/s, ${flows[side].at(-1)!.toFixed(2)} workflows/s`);
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 6000)); // the last batches (5 s schedule)
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    return {
      readsPerSecond: { off: median(reads.off), on: median(reads.on) },
      workflowsPerSecond: { off: median(flows.off), on: median(flows.on) },
      spansExported: sink.spans(),
      rounds: options.rounds,
      seconds: options.seconds,
      concurrency: options.concurrency,
      workflows: options.workflows,
    };
  } finally {
    await stacks.off?.stop();
    await stacks.on?.stop();
    await sink.close();
  }
}

/** The report's lines for (f). */
export function describeTracingOverhead(result: TracingOverhead): string[] {
  const loss = (off: number, on: number) => `${(((off - on) / off) * 100).toFixed(1)} %`;
  return [
    `(f) tracing overhead, medians of ${result.rounds} alternating rounds: workflow(id) reads through the gateway (${result.concurrency} clients, ${result.seconds} s) ${result.readsPerSecond.off.toFixed(0)} req/s off vs ${result.readsPerSecond.on.toFixed(0)} req/s on (loss ${loss(result.readsPerSecond.off, result.readsPerSecond.on)}); ${result.workflows} LANGGRAPH workflows at once ${result.workflowsPerSecond.off.toFixed(2)} vs ${result.workflowsPerSecond.on.toFixed(2)} workflows/s (loss ${loss(result.workflowsPerSecond.off, result.workflowsPerSecond.on)}); ${result.spansExported} spans exported over OTLP/HTTP to a loopback sink.`,
  ];
}
