import { performance } from 'node:perf_hooks';
import { print } from 'graphql';
import type { Client } from 'graphql-ws';
import { StartWorkflowDocument } from '@switchyard/client';
import { connectSubscriptions, type Endpoint, type SubscriptionTarget } from './graphql-requests.ts';
import { residentBytes } from './machine.ts';
import { summarize, type LatencySummary } from './percentiles.ts';

const EVENTS_WITH_TIME = /* GraphQL */ `
  subscription BenchScaleEvents($workflowId: ID!) {
    workflowEvents(workflowId: $workflowId) { sequence type at }
  }
`;
const TERMINAL = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);

export interface ScaleResult {
  requested: number;
  started: number;
  startErrors: number;
  firstStartError?: string;
  /** Seconds from the first startWorkflow to the last answered one, and the rate that makes. */
  startSeconds: number;
  startLatency: LatencySummary;
  /** Workflow runs the workflows service drove at once (its leases), highest sample. */
  peakInFlight: number;
  /** Workflows that reached SUCCEEDED / FAILED / CANCELLED (from the workflows service's own counter). */
  finished: Record<string, number>;
  allFinished: boolean;
  /** Seconds from the first start until every started workflow had finished (or the timeout). */
  seconds: number;
  /** Per service: resident memory at the start, and its highest sample. */
  memory: Array<{ name: string; startBytes: number; peakBytes: number }>;
  probes: number;
  probesFinished: number;
  /** From an event's stored `at` to a probe subscriber on the gateway receiving it, live events only. */
  probeDelay: LatencySummary;
  errors: string[];
}

const wallClock = () => performance.timeOrigin + performance.now();

/** The workflows service's counters that matter here, read from its /metrics. */
async function workflowCounters(metricsUrl: string): Promise<{ driven: number; terminal: Record<string, number> } | null> {
  try {
    const text = await (await fetch(metricsUrl, { signal: AbortSignal.timeout(5000) })).text();
    const driven = Number(/^switchyard_workflow_runs_driven(?:\{[^}]*\})? (\S+)$/m.exec(text)?.[1] ?? Number.NaN);
    const terminal: Record<string, number> = {};
    for (const match of text.matchAll(/^switchyard_workflow_transitions_total\{([^}]*)\} (\S+)$/gm)) {
      const status = /status="([^"]+)"/.exec(match[1]!)?.[1];
      if (status && TERMINAL.has(status)) terminal[status] = (terminal[status] ?? 0) + Number(match[2]);
    }
    return { driven, terminal };
  } catch {
    return null;
  }
}

/**
 * (g) Many workflows at once: start `workflows` LANGGRAPH runs as fast as `startConcurrency`
 * clients can (a slow model, `--latency-ms`, keeps them in flight), follow `probes` of them with a
 * subscription through the gateway for the delivery delay under that load, and sample each
 * service's memory and the number of runs in flight every second until all have finished.
 */
export async function measureScale(
  endpoint: Endpoint,
  options: {
    workflows: number;
    startConcurrency: number;
    probes: number;
    workflowsMetricsUrl: string;
    pids: Record<string, number>;
    timeoutMs: number;
    onProgress: (message: string) => void;
  },
): Promise<ScaleResult> {
  const errors: string[] = [];
  const memory = new Map(Object.entries(options.pids).map(([name, pid]) => [name, { startBytes: residentBytes(pid), peakBytes: residentBytes(pid) }]));
  const baseline = (await workflowCounters(options.workflowsMetricsUrl))?.terminal ?? {};
  let peakInFlight = 0;
  let finishedNow: Record<string, number> = {};
  const finishedCount = () => Object.values(finishedNow).reduce((a, b) => a + b, 0);
  const sample = async () => {
    for (const [name, pid] of Object.entries(options.pids)) {
      const entry = memory.get(name)!;
      const rss = residentBytes(pid);
      if (Number.isFinite(rss)) entry.peakBytes = Math.max(entry.peakBytes, rss);
    }
    const counters = await workflowCounters(options.workflowsMetricsUrl);
    if (counters) {
      if (Number.isFinite(counters.driven)) peakInFlight = Math.max(peakInFlight, counters.driven);
      finishedNow = Object.fromEntries(Object.entries(counters.terminal).map(([status, n]) => [status, n - (baseline[status] ?? 0)]));
    }
    return counters;
  };

  const began = Date.now();
  let started = 0;
  let startErrors = 0;
  let firstStartError: string | undefined;
  const startLatencies: number[] = [];
  let lastStartAt = began;
  let sampling = true;
  const sampler = (async () => {
    let lastReport = 0;
    while (sampling) {
      const counters = await sample();
      if (Date.now() - lastReport > 10_000) {
        lastReport = Date.now();
        options.onProgress(`${started} started, ${counters?.driven ?? '?'} in flight, ${finishedCount()} finished, ${((Date.now() - began) / 1000).toFixed(0)} s`);
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  })();

  // Probes: a subscription each, on connections of their own, started among the first workflows.
  const connections: Client[] = [];
  const probeDelays: number[] = [];
  let probesFinished = 0;
  const follow = async (workflowId: string) => {
    const connection = await connectSubscriptions({ url: endpoint.url, connectionParams: { authorization: `Bearer ${endpoint.apiKey}` } } satisfies SubscriptionTarget);
    connections.push(connection);
    let firstReceivedAt: number | undefined;
    for await (const result of connection.iterate<{ workflowEvents: { at: string } }>({ query: EVENTS_WITH_TIME, variables: { workflowId } })) {
      const receivedAt = wallClock();
      if (result.errors?.length) throw new Error(result.errors.map((e) => e.message).join('; '));
      const at = Date.parse(result.data!.workflowEvents.at);
      if (firstReceivedAt === undefined) firstReceivedAt = receivedAt;
      else if (at > firstReceivedAt) probeDelays.push(receivedAt - at);
    }
    probesFinished += 1;
  };
  const probeRuns: Promise<void>[] = [];

  const query = print(StartWorkflowDocument);
  let next = 0;
  const probeEvery = Math.max(1, Math.floor(options.workflows / Math.max(1, options.probes)));
  await Promise.all(
    Array.from({ length: Math.min(options.startConcurrency, options.workflows) }, async () => {
      while (next < options.workflows) {
        const index = next;
        next += 1;
        const t0 = performance.now();
        try {
          const response = await fetch(endpoint.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${endpoint.apiKey}` },
            body: JSON.stringify({ query, operationName: 'StartWorkflow', variables: { input: { input: `Scale run #${index}: process insurance claim`, framework: 'LANGGRAPH' } } }),
            signal: AbortSignal.timeout(60_000),
          });
          const body = (await response.json()) as { data?: { startWorkflow: { id: string } }; errors?: Array<{ message: string; extensions?: { code?: string } }> };
          if (!body.data?.startWorkflow) throw new Error(body.errors?.map((e) => `${e.extensions?.code ?? 'ERROR'} ${e.message}`).join('; ') ?? `HTTP ${response.status}`);
          started += 1;
          startLatencies.push(performance.now() - t0);
          lastStartAt = Date.now();
          if (index % probeEvery === 0 && probeRuns.length < options.probes) {
            probeRuns.push(follow(body.data.startWorkflow.id).catch((error: unknown) => void errors.push(`probe: ${error instanceof Error ? error.message : String(error)}`)));
          }
        } catch (error) {
          startErrors += 1;
          firstStartError ??= error instanceof Error ? error.message : String(error);
        }
      }
    }),
  );
  const startSeconds = (lastStartAt - began) / 1000;
  options.onProgress(`all starts answered: ${started} started, ${startErrors} refused or failed, in ${startSeconds.toFixed(0)} s`);

  while (finishedCount() < started && Date.now() - began < options.timeoutMs) await new Promise((r) => setTimeout(r, 1000));
  const allFinished = finishedCount() >= started;
  if (!allFinished) errors.push(`${started - finishedCount()} of ${started} workflows had not finished ${((Date.now() - began) / 1000).toFixed(0)} s after the first start (the wait ends ${(options.timeoutMs / 1000).toFixed(0)} s after it, or when the last start is answered if that is later)`);
  const seconds = (Date.now() - began) / 1000;
  await Promise.race([Promise.all(probeRuns), new Promise((r) => setTimeout(r, 10_000))]);
  sampling = false;
  await sampler;
  await Promise.all(connections.map((c) => c.dispose()));
  return {
    requested: options.workflows,
    started,
    startErrors,
    ...(firstStartError ? { firstStartError } : {}),
    startSeconds,
    startLatency: summarize(startLatencies),
    peakInFlight,
    finished: finishedNow,
    allFinished,
    seconds,
    memory: [...memory].map(([name, m]) => ({ name, ...m })).sort((a, b) => b.peakBytes - a.peakBytes),
    probes: probeRuns.length,
    probesFinished,
    probeDelay: summarize(probeDelays),
    errors,
  };
}
