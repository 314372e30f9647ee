import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '@switchyard/store';
import { EventLog, WorkflowEndedError } from './event-log.ts';

describe('EventLog', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const file = () => {
    const dir = mkdtempSync(join(tmpdir(), 'event-log-'));
    dirs.push(dir);
    return join(dir, 'workflows.db');
  };

  it('numbers events 1..n with no gap and no duplicate when several writers on two replicas append at once', async () => {
    const filename = file();
    const replicaA = new EventLog(new SqliteStore({ filename }));
    const replicaB = new EventLog(new SqliteStore({ filename }));
    const writes = Array.from({ length: 60 }, (_, i) => (i % 2 ? replicaA : replicaB).append('t1', 'w1', 'LANGGRAPH', { type: 'STEP_STARTED', step: `s${i}` }));
    await Promise.all(writes);
    const events = await replicaA.list('t1', 'w1', 0, 1000);
    expect(events.map((e) => e.sequence)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    expect(new Set(events.map((e) => e.step)).size).toBe(60);
  });

  it('keeps each tenant to its own events and lists after a sequence', async () => {
    const log = new EventLog(new SqliteStore({ filename: file() }));
    for (let i = 0; i < 5; i++) await log.append('t1', 'w1', 'LANGGRAPH', { type: 'STEP_COMPLETED', step: String(i) });
    expect(await log.list('t2', 'w1')).toEqual([]);
    expect((await log.list('t1', 'w1', 3)).map((e) => e.sequence)).toEqual([4, 5]);
  });

  it('tells listeners about an event only after it is stored', async () => {
    const log = new EventLog(new SqliteStore({ filename: file() }));
    const seen: number[] = [];
    log.onAppend('w1', () => {
      void log.list('t1', 'w1').then((stored) => seen.push(stored.length));
    });
    await log.append('t1', 'w1', null, { type: 'WORKFLOW_STARTED' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(seen).toEqual([1]);
  });

  it('refuses an append after the terminal event, also from a replica that did not see the end', async () => {
    const filename = file();
    const driving = new EventLog(new SqliteStore({ filename }));
    const stale = new EventLog(new SqliteStore({ filename }));
    await stale.append('t1', 'w1', 'LANGGRAPH', { type: 'WORKFLOW_STARTED' });
    await stale.append('t1', 'w1', 'LANGGRAPH', { type: 'MODEL_CALL' });
    // Another replica took the workflow over and finished it.
    await driving.append('t1', 'w1', 'LANGGRAPH', { type: 'MODEL_CALL' });
    await driving.append('t1', 'w1', 'LANGGRAPH', { type: 'WORKFLOW_SUCCEEDED' });
    // The stale replica's engine stream goes on: its next event is refused, and so is every later one.
    await expect(stale.append('t1', 'w1', 'LANGGRAPH', { type: 'MODEL_CALL' })).rejects.toBeInstanceOf(WorkflowEndedError);
    await expect(stale.append('t1', 'w1', 'LANGGRAPH', { type: 'STEP_COMPLETED' })).rejects.toThrow(/ended with event 4/);
    await expect(driving.append('t1', 'w1', 'LANGGRAPH', { type: 'STEP_COMPLETED' })).rejects.toBeInstanceOf(WorkflowEndedError);
    await expect(new EventLog(new SqliteStore({ filename })).append('t1', 'w1', null, { type: 'WORKFLOW_FAILED' })).rejects.toBeInstanceOf(WorkflowEndedError);
    expect((await driving.list('t1', 'w1')).map((e) => e.type)).toEqual(['WORKFLOW_STARTED', 'MODEL_CALL', 'MODEL_CALL', 'WORKFLOW_SUCCEEDED']);
    // A workflow waiting for input has not ended.
    await driving.append('t1', 'w2', null, { type: 'WAITING_FOR_INPUT' });
    await expect(stale.append('t1', 'w2', null, { type: 'RESUMED' })).resolves.toMatchObject({ sequence: 2 });
  });

  it('stores a batch of events as consecutive sequences in one write, waking readers once, without gaps when replicas race', async () => {
    const filename = file();
    const replicaA = new EventLog(new SqliteStore({ filename }));
    const replicaB = new EventLog(new SqliteStore({ filename }));
    const wakeUps: number[] = [];
    replicaA.onAppend('w1', () => wakeUps.push(Date.now()));
    const batch = (tag: string) => [
      { type: 'STEP_COMPLETED', step: `${tag}-done` },
      { type: 'STATE_UPDATED', step: `${tag}-state` },
      { type: 'STEP_STARTED', step: `${tag}-next` },
    ];
    const stored = await replicaA.appendMany('t1', 'w1', 'LANGGRAPH', batch('first'));
    expect(stored.map((e) => e.sequence)).toEqual([1, 2, 3]);
    expect(wakeUps).toHaveLength(1);
    // Both claim sequence 4 at once: the batch that loses stores nothing and goes after the other, whole.
    const [fromB, fromA] = await Promise.all([replicaB.appendMany('t1', 'w1', 'LANGGRAPH', batch('b')), replicaA.appendMany('t1', 'w1', 'LANGGRAPH', batch('a'))]);
    const events = await replicaA.list('t1', 'w1');
    expect(events.map((e) => e.sequence)).toEqual(Array.from({ length: 9 }, (_, i) => i + 1));
    expect(events.map((e) => e.step).filter((step) => step?.startsWith('b-'))).toEqual(['b-done', 'b-state', 'b-next']);
    const bStart = fromB[0]!.sequence;
    expect(fromB.map((e) => e.sequence)).toEqual([bStart, bStart + 1, bStart + 2]);
    expect(fromA.map((e) => e.step)).toEqual(['a-done', 'a-state', 'a-next']);
    // More than one transaction holds goes in several, still in order.
    const many = Array.from({ length: 230 }, (_, i) => ({ type: 'MODEL_OUTPUT', step: String(i) }));
    const long = await replicaA.appendMany('t1', 'w2', null, many);
    expect(long.map((e) => e.sequence)).toEqual(Array.from({ length: 230 }, (_, i) => i + 1));
  });

  it('stores a batch up to its terminal event and refuses what follows it', async () => {
    const log = new EventLog(new SqliteStore({ filename: file() }));
    await expect(
      log.appendMany('t1', 'w1', 'LANGGRAPH', [{ type: 'STEP_COMPLETED' }, { type: 'WORKFLOW_SUCCEEDED' }, { type: 'STEP_STARTED' }]),
    ).rejects.toThrow(/ended with event 2/);
    expect((await log.list('t1', 'w1')).map((e) => e.type)).toEqual(['STEP_COMPLETED', 'WORKFLOW_SUCCEEDED']);
    await expect(log.appendMany('t1', 'w1', 'LANGGRAPH', [{ type: 'STEP_STARTED' }, { type: 'STEP_COMPLETED' }])).rejects.toBeInstanceOf(WorkflowEndedError);
    expect(await log.list('t1', 'w1')).toHaveLength(2);
  });
});
