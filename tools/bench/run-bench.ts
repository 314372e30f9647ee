import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { print } from 'graphql';
import { StartWorkflowDocument, ViewerDocument, WorkflowDocument } from '@switchyard/client';
import { startTestStack } from '@switchyard/testkit';
import { CONTEXT_HEADER } from '@switchyard/contracts';
import { ContextTokens } from '@switchyard/service-kit';
import { readOptions, type BenchOptions } from './bench-options.ts';
import { startBareGateway, type BareGatewayProcess } from './bare-gateway-process.ts';
import { measureEventDelivery } from './event-delivery.ts';
import { graphql, viaGateway, type Endpoint } from './graphql-requests.ts';
import { CpuMeter, describeMachine, loadAverage } from './machine.ts';
import { measureModelCallOverhead } from './model-call-overhead.ts';
import { findMaxSustainedRate, OpenLoopLoad, type LoadRunResult, type LoadTarget } from './open-loop-load.ts';
import { formatMs } from './percentiles.ts';
import { renderReport, type BenchResults, type MeasuredRun } from './report.ts';
import { measureScale } from './scale.ts';
import { measureSubscriptionCapacity } from './subscription-capacity.ts';
import { describeTracingOverhead, measureTracingOverhead } from './tracing-overhead.ts';

// `npm run bench`: starts the whole platform on free ports, measures (a)-(e) through the gateway and
// writes the report. See docs/benchmarks.md for what each measurement means.

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const log = (message: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);
const SUSTAINED = { p95Ms: 500, maxErrorRatio: 0.01 };
/** Per-tenant and per-key limits raised out of the way (the defaults: 50 and 25 req/s, 200 concurrent workflows). */
export const BENCH_LIMITS = {
  RATE_LIMIT_TENANT_PER_SECOND: '1000000',
  RATE_LIMIT_TENANT_BURST: '1000000',
  RATE_LIMIT_KEY_PER_SECOND: '1000000',
  RATE_LIMIT_KEY_BURST: '1000000',
  QUOTA_CONCURRENT_WORKFLOWS: '1000000',
  QUOTA_RUNS_PER_MONTH: '100000000',
};

function describeRun(run: LoadRunResult): string {
  return `${run.target} @ ${run.rate} req/s: p50 ${formatMs(run.latency.p50)}, p95 ${formatMs(run.latency.p95)}, ok ${run.ok}/${run.scheduled}, achieved ${run.achievedRps.toFixed(0)} req/s${run.firstError ? ` (first error: ${run.firstError})` : ''}`;
}

/** Wait until no workflow is QUEUED or RUNNING (the load phases start real workflows), within a bound. */
async function waitForIdleWorkflows(endpoint: Endpoint, maxSeconds: number): Promise<{ idle: boolean; seconds: number }> {
  const began = Date.now();
  const query = `query BenchBusy { running: workflows(status: RUNNING, first: 1) { edges { node { id } } } queued: workflows(status: QUEUED, first: 1) { edges { node { id } } } }`;
  for (;;) {
    const busy = await graphql<{ running: { edges: unknown[] }; queued: { edges: unknown[] } }>(endpoint, query).catch(() => undefined);
    const seconds = (Date.now() - began) / 1000;
    if (busy && busy.running.edges.length === 0 && busy.queued.edges.length === 0) return { idle: true, seconds };
    if (seconds > maxSeconds) return { idle: false, seconds };
    await new Promise((r) => setTimeout(r, 1000));
  }
}

async function main(options: BenchOptions): Promise<void> {
  const began = Date.now();
  const machine = describeMachine();
  const loadBefore = loadAverage();
  log(`${machine.cpuCount} × ${machine.cpuModel}, Node ${machine.nodeVersion}, load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')}; ${options.quick ? 'QUICK smoke run' : 'full run'}`);

  const stack = await startTestStack({
    env: {
      LOG_LEVEL: 'warn',
      LLM_SIMULATOR_LATENCY_MS: String(options.simulatorLatencyMs),
      // (e) holds model calls open on purpose; they must outlive the hold.
      LLM_TIMEOUT_MS: '900000',
      // The bench measures capacity, not policy: the limiters and quota checks still run on every
      // request, but with limits no load here reaches (see BENCH_LIMITS in the report).
      ...BENCH_LIMITS,
      ...(options.cpuProfileDir
        ? {
            NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${fileURLToPath(new URL('./cpu-profiler.mjs', import.meta.url))}`.trim(),
            BENCH_CPU_PROFILE_DIR: resolve(options.cpuProfileDir),
          }
        : {}),
    },
  });
  log(`stack up in ${((Date.now() - began) / 1000).toFixed(0)} s at ${stack.gatewayUrl}`);
  // One request first, so the gateway has verified the key before the first burst (see the notes on the auth cache).
  await stack.client().request(ViewerDocument);
  let bare: BareGatewayProcess | undefined;
  const results: BenchResults = { runs: [], searches: [], notes: [] };
  try {
    const services = stack.supervisor.services;
    const pidOf = (name: string) => services.get(name)?.child?.pid ?? Number.NaN;
    const endpoint: Endpoint = { url: stack.gatewayUrl, apiKey: stack.apiKey };
    const tenant = { tenantId: stack.tenantId, role: 'TENANT_ADMIN' as const, keyId: null, subject: 'bench' };
    const cpuPids = () => ({
      ...Object.fromEntries([...services.values()].map((s) => [s.name, s.child?.pid ?? Number.NaN])),
      'bench (load generator)': process.pid,
      ...(bare ? { 'bare gateway': bare.pid } : {}),
    });

    if (options.only.has('c')) {
      log(`(c) event delivery: ${options.eventWorkflows} workflows, one subscriber each`);
      const client = stack.client();
      results.eventDelivery = await measureEventDelivery(client, viaGateway(endpoint), { workflows: options.eventWorkflows, timeoutMs: 180_000 });
      log(`(c) p50 ${formatMs(results.eventDelivery.delay.p50)}, p95 ${formatMs(results.eventDelivery.delay.p95)} over ${results.eventDelivery.liveEvents} live events`);
      await waitForIdleWorkflows(endpoint, options.drainSeconds);
      // The same straight from the workflows subgraph, to tell the gateway's share from the subgraph's.
      const direct = { url: services.get('workflows')!.url, connectionParams: { [CONTEXT_HEADER]: await new ContextTokens(stack.contextSecret).sign(tenant) } };
      results.eventDeliveryDirect = await measureEventDelivery(client, direct, { workflows: options.eventWorkflows, timeoutMs: 180_000 });
      await client.close();
      log(`(c) without the gateway: p50 ${formatMs(results.eventDeliveryDirect.delay.p50)}, p95 ${formatMs(results.eventDeliveryDirect.delay.p95)}`);
      await waitForIdleWorkflows(endpoint, options.drainSeconds);
    }

    let workflowIds: string[] = [];
    if (options.only.has('d') || options.only.has('a') || options.only.has('b')) {
      const count = options.only.has('d') ? options.overheadWorkflows : 10;
      log(`(d) ${count} concurrent LANGGRAPH workflows, simulator latency ${options.simulatorLatencyMs} ms per call${options.only.has('d') ? '' : ' (only to have workflows to read)'}`);
      const client = stack.client();
      const cpu = new CpuMeter(cpuPids());
      const cpuFrom = performance.now();
      // With --cpu-prof, each platform process also writes a profile of this batch alone (cpu-profiler.mjs).
      const markProfiles = () => {
        if (!options.cpuProfileDir || !options.only.has('d')) return;
        for (const service of services.values()) if (service.child?.pid) process.kill(service.child.pid, 'SIGUSR2');
      };
      markProfiles();
      const overhead = await measureModelCallOverhead(client, endpoint, { workflows: count, simulatorLatencyMs: options.simulatorLatencyMs, timeoutMs: 300_000 });
      markProfiles();
      await client.close();
      workflowIds = overhead.ids;
      if (options.only.has('d')) {
        const used = cpu.read();
        const windowSeconds = (performance.now() - cpuFrom) / 1000;
        // CPU-seconds of every platform process (not the simulator standing in for the model, the load generator or other work) per model call.
        const platformCores = used.filter((entry) => services.has(entry.name) && entry.name !== 'llm-simulator').reduce((sum, entry) => sum + entry.cores, 0);
        results.modelCallOverhead = { ...overhead, cpu: used, platformCpuMsPerCall: overhead.modelCalls > 0 ? (platformCores * windowSeconds * 1000) / overhead.modelCalls : Number.NaN };
        log(`(d) overhead per model call: median ${formatMs(overhead.overheadPerCall.p50)}, p95 ${formatMs(overhead.overheadPerCall.p95)} (${overhead.succeeded}/${overhead.workflows} succeeded)`);
      }
    }

    if (options.only.has('a') || options.only.has('b')) {
      const workflowQuery = print(WorkflowDocument);
      const workflowBody = (i: number) => JSON.stringify({ query: workflowQuery, operationName: 'Workflow', variables: { id: workflowIds[i % workflowIds.length] } });
      const ours: LoadTarget = { name: 'workflow(id) via Switchyard gateway', url: stack.gatewayUrl, headers: { authorization: `Bearer ${stack.apiKey}` }, body: workflowBody };
      const oursLoad = new OpenLoopLoad(ours, options.generatorConnections);
      let bareLoad: OpenLoopLoad | undefined;
      if (options.only.has('b')) {
        bare = await startBareGateway({
          supergraphPath: resolve(ROOT, 'supergraph.graphql'),
          subgraphUrls: Object.fromEntries([...services.values()].filter((s) => s.name !== 'gateway' && s.name !== 'llm-simulator').map((s) => [s.name, s.url])),
          contextSecret: stack.contextSecret,
          tenant,
        });
        log(`(b) bare ApolloGateway at ${bare.url} (pid ${bare.pid})`);
        bareLoad = new OpenLoopLoad({ name: 'workflow(id) via bare ApolloGateway', url: bare.url, headers: {}, body: workflowBody }, options.generatorConnections);
      }
      const measured = async (load: OpenLoopLoad, kind: MeasuredRun['kind']) => {
        const cpu = new CpuMeter(cpuPids());
        const run = await load.run({ rate: options.rate, warmupSeconds: options.warmupSeconds, seconds: options.seconds });
        results.runs.push({ ...run, kind, cpu: cpu.read() });
        log(describeRun(run));
      };
      await measured(oursLoad, 'workflow-ours');
      if (bareLoad) await measured(bareLoad, 'workflow-bare');

      const search = async (load: OpenLoopLoad, kind: MeasuredRun['kind'], budgetSeconds: number) => {
        log(`max sustained rate (${kind}): p95 ≤ ${SUSTAINED.p95Ms} ms, errors ≤ ${SUSTAINED.maxErrorRatio * 100} %, budget ${budgetSeconds} s`);
        let cpu = new CpuMeter(cpuPids());
        const cpuPerStep: Array<Array<{ name: string; cores: number }>> = [];
        const found = await findMaxSustainedRate(load, {
          ...options.search,
          budgetSeconds,
          pauseSeconds: 1,
          criteria: SUSTAINED,
          onStep: (step) => {
            cpuPerStep.push(cpu.read());
            cpu = new CpuMeter(cpuPids());
            log(`  ${step.sustained ? 'sustained' : 'NOT sustained'}: ${describeRun(step)}`);
          },
        });
        results.searches.push({ ...found, kind, cpuPerStep });
        log(`  → ${found.maxSustainedRate} req/s (${found.stoppedBecause})`);
      };
      await search(oursLoad, 'workflow-ours', options.search.budgetSeconds);
      if (bareLoad) await search(bareLoad, 'workflow-bare', options.search.budgetSeconds);
      await oursLoad.close();
      await bareLoad?.close();
      await bare?.stop();
      bare = undefined;

      if (options.only.has('a')) {
        const drained = await waitForIdleWorkflows(endpoint, options.drainSeconds);
        if (!drained.idle) results.notes.push(`Before the startWorkflow load, workflows were still running after ${drained.seconds.toFixed(0)} s.`);
        const startQuery = print(StartWorkflowDocument);
        const startLoad = new OpenLoopLoad(
          {
            name: 'startWorkflow via Switchyard gateway',
            url: stack.gatewayUrl,
            headers: { authorization: `Bearer ${stack.apiKey}` },
            body: (i) => JSON.stringify({ query: startQuery, operationName: 'StartWorkflow', variables: { input: { input: `Benchmark load #${i}: process insurance claim`, framework: 'LANGGRAPH' } } }),
          },
          options.generatorConnections,
        );
        await measured(startLoad, 'start-ours');
        const backlog = await waitForIdleWorkflows(endpoint, options.drainSeconds);
        results.startWorkflowBacklog = backlog;
        log(`workflows started by the startWorkflow load ${backlog.idle ? `finished ${backlog.seconds.toFixed(0)} s after the load` : `were still running ${backlog.seconds.toFixed(0)} s after the load`}`);
        await search(startLoad, 'start-ours', options.search.startWorkflowBudgetSeconds);
        await startLoad.close();
      }
    }
    if (options.only.has('g')) {
      const drained = await waitForIdleWorkflows(endpoint, options.drainSeconds);
      if (!drained.idle) results.notes.push(`Before (g), workflows were still running ${drained.seconds.toFixed(0)} s after the earlier phases; (g) ran alongside them.`);
      const g = options.scale;
      log(`(g) ${g.workflows} LANGGRAPH workflows at once (simulator latency ${options.simulatorLatencyMs} ms), started by ${g.startConcurrency} clients, ${g.probes} followed through the gateway`);
      const scale = await measureScale(endpoint, {
        workflows: g.workflows,
        startConcurrency: g.startConcurrency,
        probes: g.probes,
        workflowsMetricsUrl: services.get('workflows')!.url.replace(/\/graphql$/, '/metrics'),
        pids: Object.fromEntries([...services.values()].map((service) => [service.name, service.child?.pid ?? Number.NaN])),
        timeoutMs: g.timeoutSeconds * 1000,
        onProgress: (message) => log(`(g) ${message}`),
      });
      results.scale = scale;
      log(`(g) ${scale.started} started, peak ${scale.peakInFlight} in flight, ${JSON.stringify(scale.finished)} after ${scale.seconds.toFixed(0)} s; probe delay p95 ${formatMs(scale.probeDelay.p95)}`);
    }

    // Last: its workflows are left hanging (only the probe ones are cancelled) until the stack stops.
    if (options.only.has('e')) {
      const drained = await waitForIdleWorkflows(endpoint, options.drainSeconds);
      if (!drained.idle) results.notes.push(`Before (e), workflows from the startWorkflow load were still running ${drained.seconds.toFixed(0)} s after it; (e) ran alongside them.`);
      const s = options.subscriptions;
      log(`(e) ${s.connections} connections × ${s.perConnection} subscriptions over ${s.workflows} long-running workflows`);
      const client = stack.client();
      results.subscriptionCapacity = await measureSubscriptionCapacity(client, endpoint, {
        connections: s.connections,
        subscriptionsPerConnection: s.perConnection,
        workflows: s.workflows,
        holdSeconds: s.holdSeconds,
        probeWorkflows: s.probeWorkflows,
        simulatorUrl: services.get('llm-simulator')!.url,
        gatewayPid: pidOf('gateway'),
        workflowsPid: pidOf('workflows'),
        cpuPids: cpuPids(),
        timeoutMs: options.quick ? 60_000 : 120_000,
        onProgress: (message) => log(`(e) ${message}`),
      });
      await client.close();
      const e = results.subscriptionCapacity;
      log(`(e) ${e.established}/${e.requested} established, gateway RSS ${(e.gatewayRssHeldBytes / 2 ** 20).toFixed(0)} MiB held (peak ${(e.gatewayRssPeakBytes / 2 ** 20).toFixed(0)} MiB), probe ${e.probeDelivered}/${e.probeExpected}`);
    }

  } catch (error) {
    // Keep the services' logs of a failed run for a look at what went wrong.
    await bare?.stop();
    await stack.stop({ keepState: true });
    log(`failed; the services' logs are in ${stack.stateDir}/logs`);
    throw error;
  }
  await bare?.stop();
  await stack.stop();

  // (f) On stacks of its own, after the main one stopped, so the two sides share the machine alike.
  if (options.only.has('f')) {
    log('(f) tracing off vs on (OTLP/HTTP to a loopback sink), alternating rounds');
    const overhead = await measureTracingOverhead({
      env: { LOG_LEVEL: 'warn', LLM_SIMULATOR_LATENCY_MS: '0', ...BENCH_LIMITS },
      seconds: options.quick ? 4 : 10,
      concurrency: 16,
      workflows: options.quick ? 10 : 30,
      rounds: options.quick ? 2 : 4,
      onProgress: (message) => log(`(f) ${message}`),
    });
    results.notes.push(...describeTracingOverhead(overhead));
    for (const line of describeTracingOverhead(overhead)) log(line);
  }

  const loadAfter = loadAverage();
  const out = resolve(ROOT, options.out);
  const previousReport = existsSync(out) ? readFileSync(out, 'utf8') : undefined;
  const report = renderReport({ options, machine, loadBefore, loadAfter, startedAt: new Date(began), durationSeconds: (Date.now() - began) / 1000, results, previousReport });
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, report);
  log(`report written to ${out} after ${((Date.now() - began) / 1000).toFixed(0)} s; load average now ${loadAfter.map((l) => l.toFixed(2)).join(' ')}`);
}

main(readOptions(process.argv.slice(2))).then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
