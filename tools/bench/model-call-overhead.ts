import { StartWorkflowDocument, WorkflowEventsDocument, type SwitchyardClient } from '@switchyard/client';
import { graphql, mapConcurrently, type Endpoint } from './graphql-requests.ts';
import { summarize, type LatencySummary } from './percentiles.ts';

const WORKFLOW_TIMELINE = /* GraphQL */ `
  query BenchWorkflowTimeline($id: ID!) {
    workflow(id: $id) { id status events { type at data } }
  }
`;

interface Timeline {
  workflow: { id: string; status: string; events: Array<{ type: string; at: string; data: { latencyMs?: number } | null }> } | null;
}

export interface ModelCallOverheadResult {
  workflows: number;
  succeeded: number;
  modelCalls: number;
  /** Per workflow: (wall time − model calls × the simulator's configured latency) / model calls. */
  overheadPerCall: LatencySummary;
  /** Per workflow: (wall time − Σ MODEL_CALL latencyMs as the engine measured it) / model calls. */
  overheadPerCallBeyondMeasured: LatencySummary;
  wallTime: LatencySummary;
  /** From WORKFLOW_STARTED to the engine's first event: dispatch, lease and the engine's start. */
  dispatchDelay: LatencySummary;
  /** From the last MODEL_CALL to WORKFLOW_SUCCEEDED: the engine's finish and the orchestrator storing the result. */
  finishDelay: LatencySummary;
  callsPerWorkflow: LatencySummary;
  /** How long the batch took from the first start to the last terminal event, as the bench saw it. */
  batchSeconds: number;
  /** The workflow ids, reused as targets of the workflow(id) load. */
  ids: string[];
  errors: string[];
}

/**
 * (d) Start `workflows` LANGGRAPH workflows at once, wait for each to finish (through the same
 * subscription a client would use), then read each one's stored events: wall time from
 * WORKFLOW_STARTED to the terminal event, model calls from its MODEL_CALL events. What is left of
 * the wall time after the simulated model time is the platform's overhead, divided per call.
 */
export async function measureModelCallOverhead(
  client: SwitchyardClient,
  endpoint: Endpoint,
  options: { workflows: number; simulatorLatencyMs: number; timeoutMs: number },
): Promise<ModelCallOverheadResult> {
  const errors: string[] = [];
  const began = Date.now();
  const starts = await Promise.allSettled(
    Array.from({ length: options.workflows }, async (_, i) => {
      const started = await client.request(StartWorkflowDocument, { input: { input: `Benchmark overhead #${i}: research competitors and write a market analysis`, framework: 'LANGGRAPH' } });
      return started.startWorkflow.id;
    }),
  );
  const ids = starts.flatMap((start) => (start.status === 'fulfilled' ? [start.value] : []));
  for (const start of starts) if (start.status === 'rejected') errors.push(`startWorkflow failed: ${start.reason instanceof Error ? start.reason.message : String(start.reason)}`);
  const finishedAll = Promise.all(
    ids.map(async (id) => {
      for await (const _event of client.subscribe(WorkflowEventsDocument, { workflowId: id })) {
        // Drained until the subscription completes after the terminal event.
      }
    }),
  );
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    finishedAll.catch((error: unknown) => {
      errors.push(`waiting for the workflows: ${error instanceof Error ? error.message : String(error)}`);
    }),
    new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        errors.push(`not every workflow had finished after ${options.timeoutMs} ms`);
        resolve();
      }, options.timeoutMs);
    }),
  ]);
  clearTimeout(timer);
  const batchSeconds = (Date.now() - began) / 1000;

  const timelines = await mapConcurrently(ids, 8, (id) => graphql<Timeline>(endpoint, WORKFLOW_TIMELINE, { id }));
  const overhead: number[] = [];
  const overheadBeyondMeasured: number[] = [];
  const walls: number[] = [];
  const calls: number[] = [];
  const dispatch: number[] = [];
  const finish: number[] = [];
  let succeeded = 0;
  for (const { workflow } of timelines) {
    if (!workflow) continue;
    if (workflow.status !== 'SUCCEEDED') {
      errors.push(`workflow ${workflow.id} ended ${workflow.status}`);
      continue;
    }
    succeeded += 1;
    const started = workflow.events.find((e) => e.type === 'WORKFLOW_STARTED');
    const terminal = workflow.events.find((e) => e.type === 'WORKFLOW_SUCCEEDED');
    const modelCalls = workflow.events.filter((e) => e.type === 'MODEL_CALL');
    if (!started || !terminal || modelCalls.length === 0) {
      errors.push(`workflow ${workflow.id} lacks WORKFLOW_STARTED, WORKFLOW_SUCCEEDED or MODEL_CALL events`);
      continue;
    }
    const wall = Date.parse(terminal.at) - Date.parse(started.at);
    const measuredModelMs = modelCalls.reduce((sum, e) => sum + (e.data?.latencyMs ?? 0), 0);
    walls.push(wall);
    const firstEngineEvent = workflow.events.find((e) => !['WORKFLOW_STARTED', 'FRAMEWORK_SELECTED'].includes(e.type));
    if (firstEngineEvent) dispatch.push(Date.parse(firstEngineEvent.at) - Date.parse(started.at));
    finish.push(Date.parse(terminal.at) - Date.parse(modelCalls[modelCalls.length - 1]!.at));
    calls.push(modelCalls.length);
    overhead.push((wall - modelCalls.length * options.simulatorLatencyMs) / modelCalls.length);
    overheadBeyondMeasured.push((wall - measuredModelMs) / modelCalls.length);
  }
  return {
    workflows: options.workflows,
    succeeded,
    modelCalls: calls.reduce((a, b) => a + b, 0),
    overheadPerCall: summarize(overhead),
    overheadPerCallBeyondMeasured: summarize(overheadBeyondMeasured),
    wallTime: summarize(walls),
    dispatchDelay: summarize(dispatch),
    finishDelay: summarize(finish),
    callsPerWorkflow: summarize(calls),
    batchSeconds,
    ids,
    errors,
  };
}
