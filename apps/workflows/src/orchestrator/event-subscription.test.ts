import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { TenantContext } from '@switchyard/contracts';
import { ContextTokens, ServiceClient } from '@switchyard/service-kit';
import { SqliteStore, type DocumentStore } from '@switchyard/store';
import { EngineDirectory } from './engine-directory.ts';
import { EventLog } from './event-log.ts';
import { LocalEventNotifier } from './event-notifier.ts';
import { WorkflowEventFeeds, workflowEventStream } from './event-subscription.ts';
import { WorkflowManager } from './workflow-manager.ts';
import type { EventDoc, WorkflowDoc } from './workflow-documents.ts';
import { workflowFixture } from './workflow-fixture.ts';

// Long enough that a test only passes when a notification, not the safety-net poll, delivers the event.
const NEVER_POLLS = 3_600_000;
const tenant: TenantContext = { tenantId: 't1', role: 'VIEWER', keyId: null, subject: 'test' };

/** The store's reads as they are, counted, and one of them held on request until released. */
class ObservedEventLog extends EventLog {
  reads = 0;
  private hold: { reached: () => void; released: Promise<void> } | null = null;

  /** Hold the next read that finds events, after it read them, until `release` is called. */
  holdNextRead(): { reached: Promise<void>; release: () => void } {
    let reached!: () => void;
    let release!: () => void;
    const reachedPromise = new Promise<void>((resolve) => (reached = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    this.hold = { reached, released };
    return { reached: reachedPromise, release };
  }

  override async list(tenantId: string, workflowId: string, afterSequence = 0, first = 500): Promise<EventDoc[]> {
    this.reads += 1;
    const events = await super.list(tenantId, workflowId, afterSequence, first);
    const hold = this.hold;
    if (hold && events.length > 0) {
      this.hold = null;
      hold.reached();
      await hold.released;
    }
    return events;
  }
}

describe('workflowEventStream', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const file = () => {
    const dir = mkdtempSync(join(tmpdir(), 'event-stream-'));
    dirs.push(dir);
    return join(dir, 'workflows.db');
  };

  function setUp(pollIntervalMs = NEVER_POLLS, store: DocumentStore = new SqliteStore({ filename: file() }), endCheckMs = 5000) {
    const events = new ObservedEventLog(store, new LocalEventNotifier(pollIntervalMs));
    const tokens = new ContextTokens('a-test-secret-of-at-least-32-characters!');
    const manager = new WorkflowManager(
      store,
      events,
      new ServiceClient('http://127.0.0.1:9/graphql', tokens),
      () => {
        throw new Error('these tests run no workflow');
      },
      new EngineDirectory({}, tokens),
    );
    const feeds = new WorkflowEventFeeds(events, undefined, endCheckMs);
    const createWorkflow = async (id: string, tenantId = 't1') => {
      const doc: WorkflowDoc = workflowFixture(tenantId, id, 'RUNNING', { input: 'test' });
      await manager.workflows.create(doc);
    };
    const step = (workflowId: string, step: string, tenantId = 't1') => events.append(tenantId, workflowId, 'LANGGRAPH', { type: 'STEP_STARTED', step });
    const finish = (workflowId: string) => events.append('t1', workflowId, 'LANGGRAPH', { type: 'WORKFLOW_SUCCEEDED' });
    const stream = (workflowId: string, afterSequence = 0, context = tenant) => workflowEventStream(context, manager, feeds, workflowId, afterSequence);
    return { events, feeds, manager, createWorkflow, step, finish, stream };
  }

  async function drain(stream: AsyncIterableIterator<EventDoc>): Promise<number[]> {
    const sequences: number[] = [];
    for await (const event of stream) sequences.push(event.sequence);
    return sequences;
  }

  it('ends the subscription of a workflow that finished without its terminal event (its replica died in between), with that event', async () => {
    const { manager, createWorkflow, step, stream, events } = setUp(NEVER_POLLS, new SqliteStore({ filename: file() }), 200);
    await createWorkflow('w-lost');
    await step('w-lost', 'a');
    await step('w-lost', 'b');
    // The status was stored, the terminal event never was.
    const stored = await manager.workflows.get('t1', 'w-lost');
    await manager.workflows.replace({ ...stored!.doc, status: 'SUCCEEDED', output: 'done' }, { ifMatch: stored!.etag });
    const seen: string[] = [];
    for await (const event of stream('w-lost')) seen.push(`${event.sequence}:${event.type}`);
    expect(seen).toEqual(['1:STEP_STARTED', '2:STEP_STARTED', '3:WORKFLOW_SUCCEEDED']);
    // Written once: a second check finds the end there already.
    expect(await manager.ensureTerminalEvent('t1', 'w-lost')).toBe(false);
    expect((await events.list('t1', 'w-lost')).map((e) => e.type)).toEqual(['STEP_STARTED', 'STEP_STARTED', 'WORKFLOW_SUCCEEDED']);
    // A running workflow is left alone.
    await createWorkflow('w-running');
    expect(await manager.ensureTerminalEvent('t1', 'w-running')).toBe(false);
  });

  it('delivers events appended while the subscriber is suspended at yield, with no poll to fall back on', async () => {
    const { createWorkflow, step, finish, stream } = setUp();
    await createWorkflow('w1');
    await step('w1', 'a');
    const events = stream('w1');
    expect((await events.next()).value?.sequence).toBe(1);
    // The subscriber has not asked for the next event yet: it is parked at its yield.
    await step('w1', 'b');
    await step('w1', 'c');
    expect((await events.next()).value?.step).toBe('b');
    expect((await events.next()).value?.step).toBe('c');
    const pending = events.next();
    await finish('w1');
    expect((await pending).value?.type).toBe('WORKFLOW_SUCCEEDED');
    expect((await events.next()).done).toBe(true);
  });

  it('delivers an event appended while the store is being read, with no poll to fall back on', async () => {
    const { events: log, createWorkflow, step, stream } = setUp();
    await createWorkflow('w1');
    await step('w1', 'a');
    const events = stream('w1');
    expect((await events.next()).value?.sequence).toBe(1);
    const read = log.holdNextRead();
    const second = events.next();
    await step('w1', 'b');
    await read.reached;
    // The read that found event 2 has finished but not returned; event 3 is stored and notified now.
    await step('w1', 'c');
    read.release();
    expect((await second).value?.step).toBe('b');
    expect((await events.next()).value?.step).toBe('c');
    await events.return(undefined);
  });

  it('shares one reader among the subscribers of a workflow: an append costs one store read, not one per subscriber', async () => {
    const { events: log, feeds, createWorkflow, step, finish, stream } = setUp();
    await createWorkflow('w1');
    await step('w1', 'a');
    const subscribers = Array.from({ length: 20 }, () => stream('w1'));
    for (const subscriber of subscribers) expect((await subscriber.next()).value?.sequence).toBe(1);
    const second = subscribers.map((s) => s.next());
    await step('w1', 'b');
    expect((await Promise.all(second)).map((r) => r.value?.sequence)).toEqual(subscribers.map(() => 2));

    const readsBefore = log.reads;
    const third = subscribers.map((s) => s.next());
    await step('w1', 'c');
    expect((await Promise.all(third)).map((r) => r.value?.sequence)).toEqual(subscribers.map(() => 3));
    expect(log.reads - readsBefore).toBeLessThanOrEqual(2);
    expect(feeds.size).toBe(1);

    await finish('w1');
    const rest = await Promise.all(subscribers.map(drain));
    expect(rest).toEqual(subscribers.map(() => [4]));
    expect(feeds.size).toBe(0);
  });

  it('replays from any sequence and continues live with no gap and no duplicate, past the shared reader\'s window and page size', async () => {
    const { createWorkflow, step, finish, stream } = setUp();
    await createWorkflow('w1');
    for (let i = 1; i <= 700; i++) await step('w1', `s${i}`);
    const subscribers = [0, 100, 650, 699].map((after) => ({ after, sequences: drain(stream('w1', after)) }));
    for (let i = 701; i <= 1300; i++) await step('w1', `s${i}`);
    const late = { after: 1000, sequences: drain(stream('w1', 1000)) };
    for (let i = 1301; i <= 1400; i++) await step('w1', `s${i}`);
    await finish('w1');
    for (const { after, sequences } of [...subscribers, late]) {
      expect(await sequences).toEqual(Array.from({ length: 1401 - after }, (_, i) => after + i + 1));
    }
  });

  it('keeps delivering to subscribers behind one that asked for events after the current end', async () => {
    const { createWorkflow, step, finish, stream } = setUp();
    await createWorkflow('w1');
    await step('w1', 'a');
    await step('w1', 'b');
    const ahead = stream('w1', 10);
    const aheadFirst = ahead.next();
    const behind = stream('w1');
    expect((await behind.next()).value?.sequence).toBe(1);
    expect((await behind.next()).value?.sequence).toBe(2);
    const third = behind.next();
    // Let both subscribers settle into waiting before the next append.
    for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
    await step('w1', 'c');
    expect((await third).value?.sequence).toBe(3);
    for (let i = 4; i <= 11; i++) await step('w1', `s${i}`);
    expect((await aheadFirst).value?.sequence).toBe(11);
    await finish('w1');
    expect(await drain(behind)).toEqual([4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(await drain(ahead)).toEqual([12]);
  });

  it('ends a waiting subscription at once when it is closed, and lets go of the shared reader', async () => {
    const { feeds, createWorkflow, step, stream } = setUp();
    await createWorkflow('w1');
    await step('w1', 'a');
    const events = stream('w1');
    expect((await events.next()).value?.sequence).toBe(1);
    const waiting = events.next();
    await events.return(undefined);
    expect((await waiting).done).toBe(true);
    expect(feeds.size).toBe(0);
  });

  it('finds events another replica stored through the safety-net poll', async () => {
    const filename = file();
    const replicaA = setUp(NEVER_POLLS, new SqliteStore({ filename }));
    const replicaB = setUp(50, new SqliteStore({ filename }));
    await replicaA.createWorkflow('w1');
    await replicaA.step('w1', 'a');
    const sequences = drain(replicaB.stream('w1'));
    await replicaA.step('w1', 'b');
    await replicaA.finish('w1');
    expect(await sequences).toEqual([1, 2, 3]);
  });

  it('keeps tenants apart: another tenant cannot subscribe to the workflow, nor share its reader', async () => {
    const { feeds, createWorkflow, step, stream } = setUp();
    await createWorkflow('w1');
    await step('w1', 'a');
    const own = stream('w1');
    expect((await own.next()).value?.sequence).toBe(1);
    const other = stream('w1', 0, { ...tenant, tenantId: 't2' });
    await expect(other.next()).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(feeds.size).toBe(1);
    await own.return(undefined);
  });
});
