import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunnableConfig } from '@langchain/core/runnables';
import { emptyCheckpoint, type CheckpointMetadata } from '@langchain/langgraph-checkpoint';
import { deltaChannelHistoryTests, validate, type CheckpointSaverTestInitializer } from '@langchain/langgraph-checkpoint-validation';
import { SqliteStore } from '@switchyard/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECKPOINT_COLLECTIONS, StoreCheckpointSaver } from './store-checkpoint-saver.ts';

// One SQLite file for the whole run; each checkpointer the suite creates gets its own tenant partition,
// which is also what keeps the suite's instances isolated from one another.
let dir = '';
let store: SqliteStore;
const tenants = new WeakMap<StoreCheckpointSaver, string>();

const initializer: CheckpointSaverTestInitializer<StoreCheckpointSaver> = {
  checkpointerName: 'StoreCheckpointSaver (SqliteStore)',
  beforeAll() {
    dir = mkdtempSync(join(tmpdir(), 'switchyard-lg-checkpoint-'));
    store = new SqliteStore({ filename: join(dir, 'checkpoints.db') });
  },
  async afterAll() {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  },
  createCheckpointer() {
    const tenantId = `tenant-${randomUUID()}`;
    const saver = new StoreCheckpointSaver(store, { tenantId });
    tenants.set(saver, tenantId);
    return saver;
  },
  async destroyCheckpointer(saver) {
    await store.deleteTenant(tenants.get(saver)!);
  },
};

validate(initializer);
// Opt-in part of the suite (not run by validate); it exercises the inherited getDeltaChannelHistory walk.
deltaChannelHistoryTests(initializer);

const meta: CheckpointMetadata = { source: 'loop', step: 0, parents: {} };

describe('StoreCheckpointSaver tenancy', () => {
  let ownDir: string;
  let ownStore: SqliteStore;

  beforeAll(() => {
    ownDir = mkdtempSync(join(tmpdir(), 'switchyard-lg-tenancy-'));
    ownStore = new SqliteStore({ filename: join(ownDir, 'checkpoints.db') });
  });

  afterAll(async () => {
    await ownStore.close();
    rmSync(ownDir, { recursive: true, force: true });
  });

  it('keeps one tenant from reading or deleting another tenant’s thread of the same id', async () => {
    const a = new StoreCheckpointSaver(ownStore, { tenantId: 'tenant-a' });
    const b = new StoreCheckpointSaver(ownStore, { tenantId: 'tenant-b' });
    const thread = { configurable: { thread_id: 'shared-thread', checkpoint_ns: '' } };
    await a.put(thread, { ...emptyCheckpoint(), channel_values: { owner: 'a' }, channel_versions: { owner: 1 } }, meta, { owner: 1 });

    expect(await b.getTuple(thread)).toBeUndefined();
    await b.deleteThread('shared-thread');
    expect((await a.getTuple(thread))?.checkpoint.channel_values).toEqual({ owner: 'a' });
  });

  it('routes each thread to the tenant tenantIdFor names, and refuses a thread-less list', async () => {
    const saver = new StoreCheckpointSaver(ownStore, { tenantIdFor: (threadId) => threadId.split(':')[0]! });
    const config = await saver.put({ configurable: { thread_id: 'acme:t1' } }, emptyCheckpoint(), meta, {});
    await saver.putWrites(config, [['items', 1]], 'task-1');

    const checkpoints = ownStore.collection(CHECKPOINT_COLLECTIONS.checkpoints);
    const writes = ownStore.collection(CHECKPOINT_COLLECTIONS.writes);
    expect(await checkpoints.count('acme', { threadId: 'acme:t1' })).toBe(1);
    expect(await writes.count('acme', { threadId: 'acme:t1' })).toBe(1);
    expect((await saver.getTuple({ configurable: { thread_id: 'acme:t1' } }))?.pendingWrites).toEqual([['task-1', 'items', 1]]);

    const listAll = async () => {
      for await (const tuple of saver.list({})) return tuple;
    };
    await expect(listAll()).rejects.toThrow(/needs config\.configurable\.thread_id/);

    await saver.deleteThread('acme:t1');
    expect(await checkpoints.count('acme')).toBe(0);
    expect(await writes.count('acme')).toBe(0);
  });

  it('pushes scalar metadata filters into the store and still applies nested ones', async () => {
    const saver = new StoreCheckpointSaver(ownStore, { tenantId: `tenant-${randomUUID()}` });
    const thread = { configurable: { thread_id: 'filters', checkpoint_ns: '' } };
    let config: RunnableConfig = thread;
    for (let step = 0; step < 5; step++) {
      const metadata = { source: 'loop', step, parents: {}, user: { id: step % 2 ? 'odd' : 'even' } } as CheckpointMetadata;
      config = await saver.put(config, emptyCheckpoint(), metadata, {});
    }
    const steps = async (filter: Record<string, unknown>, limit?: number) => {
      const seen: number[] = [];
      for await (const tuple of saver.list(thread, { filter, ...(limit === undefined ? {} : { limit }) })) seen.push(tuple.metadata!.step);
      return seen;
    };
    expect(await steps({ step: 3 })).toEqual([3]);
    expect(await steps({ user: { id: 'even' } })).toEqual([4, 2, 0]);
    expect(await steps({ user: { id: 'even' } }, 2)).toEqual([4, 2]);
    expect(await steps({ source: 'loop', user: { id: 'odd' } })).toEqual([3, 1]);
  });
});
