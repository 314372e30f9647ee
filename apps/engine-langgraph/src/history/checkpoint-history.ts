import type { BaseCheckpointSaver, StateSnapshot } from '@langchain/langgraph';
import type { RunnableConfig } from '@langchain/core/runnables';
import { Overwrite } from '@langchain/langgraph';

/** One checkpoint of a run, as GraphQL shows it. */
export interface GraphCheckpointView {
  id: string;
  step: number;
  next: string[];
  values: Record<string, unknown>;
  createdAt: string;
}

/** The graph operations time travel needs (any compiled StateGraph has them). */
export interface HistoryGraph {
  getStateHistory(config: RunnableConfig): AsyncIterableIterator<StateSnapshot>;
  getState(config: RunnableConfig): Promise<StateSnapshot>;
  updateState(config: RunnableConfig, values: Record<string, unknown>, asNode?: string): Promise<RunnableConfig>;
  channels: Record<string, unknown>;
}

const threadConfig = (threadId: string, checkpointId?: string) => ({ configurable: { thread_id: threadId, checkpoint_ns: '', ...(checkpointId ? { checkpoint_id: checkpointId } : {}) } });

/** A run's checkpoints, newest first. */
export async function listCheckpoints(graph: HistoryGraph, threadId: string, visible: (values: Record<string, unknown>) => Record<string, unknown>): Promise<GraphCheckpointView[]> {
  const out: GraphCheckpointView[] = [];
  for await (const snapshot of graph.getStateHistory(threadConfig(threadId))) {
    out.push({
      id: String(snapshot.config.configurable?.['checkpoint_id']),
      step: Number(snapshot.metadata?.step ?? -1),
      next: [...snapshot.next],
      values: visible(snapshot.values as Record<string, unknown>),
      createdAt: snapshot.createdAt ?? new Date(0).toISOString(),
    });
  }
  return out;
}

/** Whether a checkpoint exists in a thread. */
export async function hasCheckpoint(checkpointer: BaseCheckpointSaver, threadId: string, checkpointId: string): Promise<boolean> {
  return (await checkpointer.getTuple(threadConfig(threadId, checkpointId))) !== undefined;
}

/**
 * Start a thread as a copy of another thread's checkpoint, then apply edits with graph.updateState
 * as the node that produced the checkpoint, so the copy continues where the original stood (a
 * router after an edited value decides again). Edits replace values, bypassing reducers.
 */
export async function forkThread(
  graph: HistoryGraph,
  checkpointer: BaseCheckpointSaver,
  source: { threadId: string; checkpointId: string },
  targetThreadId: string,
  edits: Record<string, unknown>,
): Promise<void> {
  const target = threadConfig(targetThreadId);
  const existing = await checkpointer.getTuple(target);
  if (!existing) {
    const tuple = await checkpointer.getTuple(threadConfig(source.threadId, source.checkpointId));
    if (!tuple) throw new Error(`Checkpoint ${source.checkpointId} of workflow ${source.threadId} was not found.`);
    await checkpointer.put(target, tuple.checkpoint, { ...tuple.metadata, source: 'fork', parents: {} } as typeof tuple.metadata & object, tuple.checkpoint.channel_versions);
  }
  if (Object.keys(edits).length === 0) return;
  const snapshot = await graph.getState(threadConfig(source.threadId, source.checkpointId));
  let asNode = '__input__';
  if (snapshot.parentConfig) {
    const parent = await graph.getState(snapshot.parentConfig);
    const producers = [...new Set(parent.next)];
    if (producers.length === 1) asNode = producers[0]!;
    else throw new Error(`Checkpoint ${source.checkpointId} was produced by several nodes at once (${producers.join(', ')}); edit the checkpoint after them instead.`);
  }
  const values = Object.fromEntries(
    Object.entries(edits).map(([key, value]) => [key, (graph.channels[key] as { lc_graph_name?: string } | undefined)?.lc_graph_name === 'BinaryOperatorAggregate' ? new Overwrite(value) : value]),
  );
  await graph.updateState(target, values, asNode);
}
