import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Annotation, Command, END, START, StateGraph, interrupt, type StateSnapshot } from '@langchain/langgraph';
import { SqliteStore } from '@switchyard/store';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreCheckpointSaver } from './store-checkpoint-saver.ts';

const State = Annotation.Root({
  request: Annotation<string>(),
  draft: Annotation<string>(),
  decision: Annotation<string>(),
  log: Annotation<string[]>({ reducer: (left, right) => left.concat(right), default: () => [] }),
});

/** Draft a reply, then stop for a human decision on it. */
function buildGraph() {
  return new StateGraph(State)
    .addNode('write_draft', (state) => ({ draft: `reply to ${state.request}`, log: ['draft'] }))
    .addNode('human_review', (state) => {
      const decision = interrupt<{ draft: string }, string>({ draft: state.draft });
      return { decision, log: [`review:${decision}`] };
    })
    .addEdge(START, 'write_draft')
    .addEdge('write_draft', 'human_review')
    .addEdge('human_review', END);
}

async function history(graph: ReturnType<ReturnType<typeof buildGraph>['compile']>, thread: { configurable: { thread_id: string } }) {
  const snapshots: StateSnapshot[] = [];
  for await (const snapshot of graph.getStateHistory(thread)) snapshots.push(snapshot);
  return snapshots;
}

describe('StoreCheckpointSaver with a LangGraph StateGraph', () => {
  let dir: string;
  let filename: string;
  const stores: SqliteStore[] = [];

  /** A fresh store and saver on the shared file, as a restarted process would open them. */
  function openGraph(tenantId = 'tenant-a') {
    const store = new SqliteStore({ filename });
    stores.push(store);
    return buildGraph().compile({ checkpointer: new StoreCheckpointSaver(store, { tenantId }) });
  }

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'switchyard-lg-graph-'));
    filename = join(dir, 'engine.db');
  });

  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('resumes an interrupted run in a new saver instance after a restart', async () => {
    const thread = { configurable: { thread_id: 'ticket-42' } };
    const before = openGraph();
    const paused = await before.invoke({ request: 'refund' }, thread);
    expect(paused).toHaveProperty(['__interrupt__', 0, 'value'], { draft: 'reply to refund' });
    await stores[0]!.close();

    const after = openGraph();
    const waiting = await after.getState(thread);
    expect(waiting.next).toEqual(['human_review']);
    expect(waiting.values).toMatchObject({ request: 'refund', draft: 'reply to refund', log: ['draft'] });
    expect(waiting.tasks[0]?.interrupts[0]?.value).toEqual({ draft: 'reply to refund' });

    const done = await after.invoke(new Command({ resume: 'approved' }), thread);
    expect(done).toMatchObject({ decision: 'approved', log: ['draft', 'review:approved'] });
    expect((await after.getState(thread)).next).toEqual([]);

    const snapshots = await history(after, thread);
    // input, start → draft, draft → review (interrupted), review → end
    expect(snapshots.map((s) => s.metadata?.step)).toEqual([2, 1, 0, -1]);
    expect(snapshots[0]?.values).toMatchObject({ decision: 'approved' });
    expect(snapshots.at(-1)?.metadata?.source).toBe('input');
    const ids = snapshots.map((s) => s.config.configurable?.checkpoint_id as string);
    expect([...ids].sort().reverse()).toEqual(ids);

    // Another tenant on the same file sees nothing of this thread.
    expect((await openGraph('tenant-b').getState(thread)).values).toEqual({});
  });

  it('resumes after a restart when only the exit checkpoint of each run is persisted', async () => {
    const thread = { configurable: { thread_id: 'ticket-9' }, durability: 'exit' as const };
    await openGraph().invoke({ request: 'exchange' }, thread);
    const after = openGraph();
    const done = await after.invoke(new Command({ resume: 'approved' }), thread);
    expect(done).toMatchObject({ request: 'exchange', draft: 'reply to exchange', decision: 'approved' });
    expect(done.log).toEqual(['draft', 'review:approved']);
    expect((await history(after, thread)).length).toBeLessThan(4);
  });

  it('keeps each branch’s values when an earlier checkpoint is forked with updateState', async () => {
    const store = new SqliteStore({ filename });
    stores.push(store);
    const saver = new StoreCheckpointSaver(store, { tenantId: 'tenant-a' });
    const graph = buildGraph().compile({ checkpointer: saver });
    const thread = { configurable: { thread_id: 'ticket-7' } };
    await graph.invoke({ request: 'invoice' }, thread);
    await graph.invoke(new Command({ resume: 'approved' }), thread);
    const original = await history(graph, thread);
    const afterDraft = original.find((s) => s.metadata?.step === 1)!;

    const forked = await graph.updateState(afterDraft.config, { draft: 'edited reply', log: ['edited'] });
    // The fork gives `log` the version the original branch's last step gave it, with a different value.
    const versionOf = async (config: typeof forked) => (await saver.getTuple(config))?.checkpoint.channel_versions.log;
    expect(await versionOf(forked)).toBe(await versionOf(original[0]!.config));
    expect((await graph.getState(forked)).values).toMatchObject({ draft: 'edited reply', log: ['draft', 'edited'] });

    const resumed = await graph.invoke(new Command({ resume: 'rejected' }), forked);
    expect(resumed).toMatchObject({ draft: 'edited reply', decision: 'rejected', log: ['draft', 'edited', 'review:rejected'] });
    for (const snapshot of original) {
      expect((await graph.getState(snapshot.config)).values).toEqual(snapshot.values);
    }
    expect(original[0]?.values).toMatchObject({ draft: 'reply to invoice', decision: 'approved', log: ['draft', 'review:approved'] });
  });
});
