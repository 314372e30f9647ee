import { Command, GraphRecursionError } from '@langchain/langgraph';
import type { LlmClient } from '@switchyard/llm';
import type { DocumentStore } from '@switchyard/store';
import { StoreCheckpointSaver } from '@switchyard/langgraph-checkpoint';
import { WorkflowEventType, type EngineRunRequest, type EngineRunResult } from '@switchyard/contracts';
import type { Engine, EngineRunIO } from '@switchyard/engine-kit';
import { buildPlanAndExecuteGraph, type PlanAndExecuteState } from '../graphs/plan-and-execute.ts';
import { fromNativeState, toNativeState } from '../graphs/state-translation.ts';

/**
 * Runs workflows as LangGraph StateGraphs checkpointed in the platform's store (thread = workflow),
 * with durability "sync": every step is stored before the next starts. Posting the same workflow
 * again continues from its last checkpoint, and a waiting human step continues with the answer.
 */
export class LangGraphEngine implements Engine {
  constructor(
    private readonly llm: LlmClient,
    private readonly store: DocumentStore,
    private readonly recursionLimit: number,
  ) {}

  async run(request: EngineRunRequest, io: EngineRunIO): Promise<EngineRunResult> {
    const { state } = request;
    const checkpointer = new StoreCheckpointSaver(this.store, { tenantId: state.tenantId });
    const graph = buildPlanAndExecuteGraph(this.llm, checkpointer, io);
    const config = { configurable: { thread_id: state.workflowId }, signal: io.signal, recursionLimit: this.recursionLimit, durability: 'sync' as const };

    const before = await graph.getState(config);
    let input: Partial<PlanAndExecuteState> | Command | null;
    const waiting = before.tasks.flatMap((task) => task.interrupts);
    if (!before.createdAt) {
      input = toNativeState(state);
    } else if (waiting.length > 0) {
      if (request.resume === undefined) return { status: 'WAITING_FOR_INPUT', pendingInput: waiting[0]!.value };
      input = new Command({ resume: request.resume });
    } else if (before.next.length > 0) {
      io.emit({ type: WorkflowEventType.STEP_STARTED, step: 'recovery', message: `Continuing from checkpoint before ${before.next.join(', ')}` });
      input = null;
    } else {
      return this.finished(before.values as PlanAndExecuteState);
    }

    try {
      await graph.invoke(input as Parameters<typeof graph.invoke>[0], config);
    } catch (error) {
      if (io.signal.aborted) throw error;
      if (error instanceof GraphRecursionError) {
        return { status: 'FAILED', error: `The graph took more than ${this.recursionLimit} steps; it may loop without an exit.`, code: 'RECURSION_LIMIT' };
      }
      throw error;
    }
    const after = await graph.getState(config);
    const interrupts = after.tasks.flatMap((task) => task.interrupts);
    if (interrupts.length > 0) return { status: 'WAITING_FOR_INPUT', pendingInput: interrupts[0]!.value };
    return this.finished(after.values as PlanAndExecuteState);
  }

  private finished(values: PlanAndExecuteState): EngineRunResult {
    const { output, frameworkState } = fromNativeState(values);
    return { status: 'SUCCEEDED', output, state: frameworkState };
  }
}
