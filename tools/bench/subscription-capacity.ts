import { setTimeout as sleep } from 'node:timers/promises';
import { performance } from 'node:perf_hooks';
import type { Client } from 'graphql-ws';
import { CancelWorkflowDocument, StartWorkflowDocument, WorkflowEventsDocument, type SwitchyardClient } from '@switchyard/client';
import { print } from 'graphql';
import { connectSubscriptions, graphql, mapConcurrently, viaGateway, type Endpoint } from './graphql-requests.ts';
import { CpuMeter, openDescriptors, residentBytes } from './machine.ts';

export interface SubscriptionCapacityOptions {
  connections: number;
  subscriptionsPerConnection: number;
  /** Distinct long-running workflows the subscriptions are spread over. */
  workflows: number;
  holdSeconds: number;
  /** Workflows cancelled at the end to check that their subscribers still receive events. */
  probeWorkflows: number;
  /** The LLM simulator's base URL (…/v1): its fault script keeps the workflows' first model call open. */
  simulatorUrl: string;
  gatewayPid: number;
  workflowsPid: number;
  /** Processes whose CPU use is sampled while the subscriptions are held. */
  cpuPids: Record<string, number>;
  /** Bound on establishing all subscriptions, and on the probe's deliveries. */
  timeoutMs: number;
  onProgress?: (message: string) => void;
}

export interface SubscriptionCapacityResult {
  requested: number;
  /** Subscriptions that delivered their first (stored) event, i.e. were running end to end. */
  established: number;
  /** Still open (no error, not completed) after the hold. */
  openAfterHold: number;
  failed: number;
  firstError?: string;
  gatewayRssBeforeBytes: number;
  gatewayRssPeakBytes: number;
  gatewayRssHeldBytes: number;
  gatewayDescriptors: number;
  workflowsRssHeldBytes: number;
  openSeconds: number;
  /** Subscriptions of the probe workflows that received WORKFLOW_CANCELLED, out of how many. */
  probeDelivered: number;
  probeExpected: number;
  probeDeliverySeconds: number;
  /** cancelWorkflow calls of the probe that failed (their subscribers are not expected to hear anything). */
  probeCancelFailures: number;
  probeCancelError?: string;
  /** startWorkflow calls for the long-running workflows that failed. */
  startFailures: number;
  firstStartError?: string;
  /** CPU per process while the subscriptions were only held (no events flowing). */
  cpuWhileHolding: Array<{ name: string; cores: number }>;
}

interface SubscriptionState {
  workflowId: string;
  received: number;
  cancelledSeen: boolean;
  done: boolean;
  error?: string;
  /** Resolves on the first event, an error or completion. */
  live: Promise<void>;
  /** Resolves on WORKFLOW_CANCELLED, an error or completion. */
  cancelled: Promise<void>;
}

/** Resolves `promises` or gives up after `ms`; true when all settled in time. */
async function allWithin(promises: Promise<unknown>[], ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const settled = await Promise.race([Promise.all(promises).then(() => true as const), timedOut]);
  clearTimeout(timer);
  return settled;
}

/**
 * (e) Keep `workflows` workflows running (the simulator is scripted to leave their first model call
 * unanswered), open connections × subscriptionsPerConnection workflowEvents subscriptions to them
 * through the gateway, hold them, sample the gateway's resident memory, then cancel a few
 * workflows and check that every subscriber of those still receives the WORKFLOW_CANCELLED event.
 */
export async function measureSubscriptionCapacity(client: SwitchyardClient, endpoint: Endpoint, options: SubscriptionCapacityOptions): Promise<SubscriptionCapacityResult> {
  const simulatorRoot = options.simulatorUrl.replace(/\/v1\/?$/, '');
  const scripted = await fetch(`${simulatorRoot}/_simulator/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ faults: Array.from({ length: options.workflows * 2 }, () => 'timeout') }),
  });
  if (!scripted.ok) throw new Error(`could not script the simulator's faults: HTTP ${scripted.status}`);

  let startFailures = 0;
  let firstStartError: string | undefined;
  const started = await mapConcurrently(Array.from({ length: options.workflows }, (_, i) => i), 16, (i) =>
    client.request(StartWorkflowDocument, { input: { input: `Benchmark long-running workflow #${i}`, framework: 'LANGGRAPH' } }).then(
      (result) => result.startWorkflow.id,
      (error: unknown) => {
        startFailures += 1;
        firstStartError ??= error instanceof Error ? error.message : String(error);
        return undefined;
      },
    ),
  );
  const ids = started.filter((id): id is string => id !== undefined);
  if (ids.length === 0) throw new Error('(e) could not start any workflow to subscribe to');
  options.onProgress?.(`${ids.length} long-running workflows started${startFailures ? ` (${startFailures} startWorkflow calls failed, first: ${firstStartError})` : ''}`);
  await sleep(2000);
  const gatewayRssBeforeBytes = residentBytes(options.gatewayPid);

  const query = print(WorkflowEventsDocument);
  const states: SubscriptionState[] = [];
  const clients: Client[] = [];
  const openStarted = performance.now();
  const openDeadline = openStarted + options.timeoutMs;
  let peak = gatewayRssBeforeBytes;
  const sampler = setInterval(() => {
    peak = Math.max(peak, residentBytes(options.gatewayPid));
  }, 250);
  try {
    await mapConcurrently(Array.from({ length: options.connections }, (_, c) => c), 4, async (c) => {
      const connection = await connectSubscriptions(viaGateway(endpoint));
      clients.push(connection);
      const mine: SubscriptionState[] = [];
      for (let s = 0; s < options.subscriptionsPerConnection; s += 1) {
        let markLive = () => {};
        let markCancelled = () => {};
        const state: SubscriptionState = {
          workflowId: ids[(c * options.subscriptionsPerConnection + s) % ids.length]!,
          received: 0,
          cancelledSeen: false,
          done: false,
          live: new Promise<void>((resolve) => (markLive = resolve)),
          cancelled: new Promise<void>((resolve) => (markCancelled = resolve)),
        };
        const end = () => {
          state.done = true;
          markLive();
          markCancelled();
        };
        states.push(state);
        mine.push(state);
        connection.subscribe<{ workflowEvents: { type: string } }>(
          { query, variables: { workflowId: state.workflowId } },
          {
            next: (result) => {
              if (result.errors?.length) {
                state.error ??= result.errors.map((e) => e.message).join('; ');
                return;
              }
              state.received += 1;
              markLive();
              if (result.data?.workflowEvents.type === 'WORKFLOW_CANCELLED') {
                state.cancelledSeen = true;
                markCancelled();
              }
            },
            error: (error) => {
              state.error ??= error instanceof Error ? error.message : JSON.stringify(error);
              end();
            },
            complete: end,
          },
        );
      }
      // Each subscription replays the workflow's stored events first; this connection's are live once they did.
      await allWithin(
        mine.map((state) => state.live),
        Math.max(0, openDeadline - performance.now()),
      );
      if (c % 10 === 9) options.onProgress?.(`${states.filter((s) => s.received > 0).length} of ${states.length} subscriptions live after ${((performance.now() - openStarted) / 1000).toFixed(1)} s`);
    });
    const openSeconds = (performance.now() - openStarted) / 1000;
    const established = states.filter((s) => s.received > 0).length;

    const holdCpu = new CpuMeter(options.cpuPids);
    await sleep(options.holdSeconds * 1000);
    const cpuWhileHolding = holdCpu.read();
    const gatewayRssHeldBytes = residentBytes(options.gatewayPid);
    peak = Math.max(peak, gatewayRssHeldBytes);
    const gatewayDescriptors = openDescriptors(options.gatewayPid);
    const workflowsRssHeldBytes = residentBytes(options.workflowsPid);
    const openAfterHold = states.filter((s) => !s.done && !s.error).length;

    // Delivery still works with every subscription held: cancel a few workflows and wait for their subscribers.
    const probeIds = ids.slice(0, options.probeWorkflows);
    const probeStarted = performance.now();
    const cancelErrors: string[] = [];
    const cancelQuery = print(CancelWorkflowDocument);
    const cancelledIds = await mapConcurrently(probeIds, 4, (id) =>
      graphql(endpoint, cancelQuery, { id }, 20_000).then(
        () => id,
        (error: unknown) => {
          cancelErrors.push(error instanceof Error ? error.message : String(error));
          return undefined;
        },
      ),
    );
    const probes = states.filter((s) => cancelledIds.includes(s.workflowId));
    await allWithin(
      probes.map((state) => state.cancelled),
      30_000,
    );
    const probeDeliverySeconds = (performance.now() - probeStarted) / 1000;

    const failedStates = states.filter((s) => s.error);
    return {
      requested: options.connections * options.subscriptionsPerConnection,
      established,
      openAfterHold,
      failed: failedStates.length,
      ...(failedStates[0]?.error ? { firstError: failedStates[0].error } : {}),
      gatewayRssBeforeBytes,
      gatewayRssPeakBytes: peak,
      gatewayRssHeldBytes,
      gatewayDescriptors,
      workflowsRssHeldBytes,
      openSeconds,
      probeDelivered: probes.filter((s) => s.cancelledSeen).length,
      probeExpected: probes.length,
      probeDeliverySeconds,
      probeCancelFailures: cancelErrors.length,
      startFailures,
      ...(firstStartError ? { firstStartError } : {}),
      cpuWhileHolding,
      ...(cancelErrors[0] ? { probeCancelError: cancelErrors[0] } : {}),
    };
  } finally {
    clearInterval(sampler);
    await Promise.all(clients.map((c) => c.dispose()));
    // The other workflows stay parked on their unanswered model call until the stack stops.
    await fetch(`${simulatorRoot}/_simulator/reset`, { method: 'POST' }).catch(() => undefined);
  }
}
