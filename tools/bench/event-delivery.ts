import { performance } from 'node:perf_hooks';
import type { Client } from 'graphql-ws';
import { StartWorkflowDocument, type SwitchyardClient } from '@switchyard/client';
import { connectSubscriptions, type SubscriptionTarget } from './graphql-requests.ts';
import { summarize, type LatencySummary } from './percentiles.ts';

// Raw, because the generated WorkflowEvents document does not select `at`.
const EVENTS_WITH_TIME = /* GraphQL */ `
  subscription BenchEventTimes($workflowId: ID!) {
    workflowEvents(workflowId: $workflowId) { sequence type at }
  }
`;

export interface EventDeliveryResult {
  workflows: number;
  finished: number;
  /** Events appended after their subscription had delivered its first event: the live ones. */
  liveEvents: number;
  /** Events delivered from the store when the subscription started (not counted). */
  replayedEvents: number;
  delay: LatencySummary;
  /** The same per event type, to see which events wait (e.g. ones appended in a burst). */
  delayByType: Record<string, LatencySummary>;
  errors: string[];
}

/** Milliseconds since the epoch with sub-millisecond resolution, comparable with the stored `at`. */
const wallClock = () => performance.timeOrigin + performance.now();

/**
 * (c) Start `workflows` LANGGRAPH workflows, each followed by a subscriber on its own graphql-ws
 * connection (to the gateway, or straight to the workflows subgraph to split the delay), and take for every live event the delay from its stored `at` (set by
 * the orchestrator when it appended the event) to the moment the subscriber received it.
 */
export async function measureEventDelivery(client: SwitchyardClient, target: SubscriptionTarget, options: { workflows: number; timeoutMs: number }): Promise<EventDeliveryResult> {
  const delays: number[] = [];
  const byType = new Map<string, number[]>();
  const errors: string[] = [];
  let replayedEvents = 0;
  let finished = 0;
  const connections: Client[] = [];

  const follow = async (index: number) => {
    const connection = await connectSubscriptions(target);
    connections.push(connection);
    const started = await client.request(StartWorkflowDocument, { input: { input: `Benchmark event delivery #${index}: summarise the quarterly report`, framework: 'LANGGRAPH' } });
    let firstReceivedAt: number | undefined;
    for await (const result of connection.iterate<{ workflowEvents: { sequence: number; type: string; at: string } }>({
      query: EVENTS_WITH_TIME,
      variables: { workflowId: started.startWorkflow.id },
    })) {
      const receivedAt = wallClock();
      if (result.errors?.length) throw new Error(result.errors.map((e) => e.message).join('; '));
      const at = Date.parse(result.data!.workflowEvents.at);
      if (firstReceivedAt === undefined) firstReceivedAt = receivedAt;
      if (at > firstReceivedAt) {
        delays.push(receivedAt - at);
        const type = result.data!.workflowEvents.type;
        byType.set(type, [...(byType.get(type) ?? []), receivedAt - at]);
      } else replayedEvents += 1;
    }
    finished += 1;
  };

  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      errors.push(`${options.workflows - finished} workflow(s) had not finished after ${options.timeoutMs} ms`);
      resolve();
    }, options.timeoutMs);
  });
  await Promise.race([
    Promise.all(
      Array.from({ length: options.workflows }, (_, i) =>
        follow(i).catch((error: unknown) => {
          errors.push(error instanceof Error ? error.message : String(error));
        }),
      ),
    ),
    timeout,
  ]);
  clearTimeout(timer);
  await Promise.all(connections.map((c) => c.dispose()));
  const delayByType = Object.fromEntries([...byType].map(([type, values]) => [type, summarize(values)]));
  return { workflows: options.workflows, finished, liveEvents: delays.length, replayedEvents, delay: summarize(delays), delayByType, errors };
}
