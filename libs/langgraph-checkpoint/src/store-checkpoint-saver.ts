import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { RunnableConfig } from '@langchain/core/runnables';
import {
  BaseCheckpointSaver,
  TASKS,
  WRITES_IDX_MAP,
  compareWritesSortKeys,
  copyCheckpoint,
  getCheckpointId,
  maxChannelVersion,
  writesSortKey,
  type ChannelVersions,
  type Checkpoint,
  type CheckpointListOptions,
  type CheckpointMetadata,
  type CheckpointPendingWrite,
  type CheckpointTuple,
  type PendingWrite,
  type SerializerProtocol,
} from '@langchain/langgraph-checkpoint';
import { ConflictError } from '@switchyard/contracts';
import { MAX_BATCH_OPERATIONS, type BaseDocument, type Collection, type DocumentStore, type FieldCondition, type QueryOptions } from '@switchyard/store';

/** The document-store collections a {@link StoreCheckpointSaver} writes. */
export const CHECKPOINT_COLLECTIONS = {
  checkpoints: 'lg_checkpoints',
  writes: 'lg_writes',
  blobs: 'lg_blobs',
} as const;

/**
 * Which tenant partition a saver reads and writes: one fixed tenant, or a mapping from thread id to
 * tenant for a saver shared by several tenants. With `tenantIdFor`, `list()` needs a thread id,
 * because a listing across threads would have no single partition to read.
 */
export type StoreCheckpointSaverOptions = { tenantId: string } | { tenantIdFor: (threadId: string) => string };

type ChannelVersion = ChannelVersions[string];

/** Where one channel value lives: its version and the checkpoint whose put stored the blob. */
type ChannelRef = [channel: string, version: ChannelVersion, sourceCheckpointId: string];

interface CheckpointDoc extends BaseDocument {
  threadId: string;
  checkpointNs: string;
  checkpointId: string;
  parentCheckpointId: string | null;
  /** Serde type and base64 bytes of the checkpoint minus `channel_values` (those live in lg_blobs). */
  type: string;
  checkpoint: string;
  metadataType: string;
  metadata: string;
  /** Short scalar top-level metadata values under identifier keys, so list filters can run in the store. */
  meta: Record<string, string | number | boolean>;
  channels: ChannelRef[];
  createdAt: string;
}

interface WriteDoc extends BaseDocument {
  threadId: string;
  checkpointNs: string;
  checkpointId: string;
  taskId: string;
  idx: number;
  taskPath: string;
  channel: string;
  type: string;
  value: string;
}

interface BlobDoc extends BaseDocument {
  threadId: string;
  checkpointNs: string;
  /** The checkpoint whose put stored this value; later checkpoints reference it while the version holds. */
  checkpointId: string;
  channel: string;
  version: ChannelVersion;
  type: string;
  value: string;
}

type ThreadDoc = BaseDocument & { threadId: string };

const NEWEST_FIRST: QueryOptions['orderBy'] = [{ field: 'checkpointId', direction: 'desc' }];
const LIST_PAGE_SIZE = 100;
const SCAN_PAGE_SIZE = 1000;
const DELETE_CONCURRENCY = 32;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MAX_INDEXED_STRING = 256;

/**
 * Document ids are hashes of the natural key: thread ids, namespaces and channel names are caller
 * strings that may hold characters Cosmos forbids in ids (`/ \ ? #`) or exceed its 255-character limit.
 */
function docId(...parts: (string | number)[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url');
}

const checkpointDocId = (threadId: string, ns: string, checkpointId: string) => docId('checkpoint', threadId, ns, checkpointId);
const blobDocId = (threadId: string, ns: string, checkpointId: string, channel: string) =>
  docId('blob', threadId, ns, checkpointId, channel);
const writeDocId = (threadId: string, ns: string, checkpointId: string, taskId: string, idx: number) =>
  docId('write', threadId, ns, checkpointId, taskId, idx);

type Configurable = RunnableConfig['configurable'];

function threadIdOf(configurable: Configurable): string | undefined {
  const value: unknown = configurable?.thread_id;
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function namespaceOf(configurable: Configurable): string {
  const value: unknown = configurable?.checkpoint_ns;
  return typeof value === 'string' ? value : '';
}

function isIndexable(key: string, value: unknown): value is string | number | boolean {
  if (!IDENTIFIER.test(key)) return false;
  if (typeof value === 'string') return value.length <= MAX_INDEXED_STRING;
  return typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
}

function indexedMetadata(metadata: CheckpointMetadata): Record<string, string | number | boolean> {
  const meta: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(metadata)) if (isIndexable(key, value)) meta[key] = value;
  return meta;
}

function matchesFilter(metadata: CheckpointMetadata, filter: Record<string, unknown>): boolean {
  const values = metadata as Record<string, unknown>;
  return Object.entries(filter).every(([key, value]) => isDeepStrictEqual(values[key], value));
}

function configOf(doc: CheckpointDoc, checkpointId = doc.checkpointId): RunnableConfig {
  return { configurable: { thread_id: doc.threadId, checkpoint_ns: doc.checkpointNs, checkpoint_id: checkpointId } };
}

function missingThreadId(operation: string): Error {
  return new Error(
    `Failed to ${operation}: config.configurable.thread_id is missing. A checkpointer needs a thread id to know which ` +
      'thread to persist state for, e.g. graph.invoke(input, { configurable: { thread_id: "my-thread" } }).',
  );
}

/**
 * A LangGraph checkpointer persisting checkpoints and pending writes through the platform's
 * {@link DocumentStore}, so it runs on the SQLite adapter embedded and on Cosmos DB in production.
 * Every document sits in the tenant partition the options name. Channel values are stored apart from
 * the checkpoint, once per change: a checkpoint records, per channel, which earlier checkpoint of its
 * own lineage stored the current value, so unchanged values are not rewritten every step and a fork
 * can never overwrite a value another branch reads. Semantics otherwise follow LangGraph's MemorySaver:
 * newest-first listing by checkpoint id, pending writes in `writesSortKey` order, insert-if-absent for
 * regular writes and overwrite for the special channels of `WRITES_IDX_MAP`.
 */
export class StoreCheckpointSaver extends BaseCheckpointSaver {
  private readonly checkpoints: Collection<CheckpointDoc>;
  private readonly writes: Collection<WriteDoc>;
  private readonly blobs: Collection<BlobDoc>;
  private readonly options: StoreCheckpointSaverOptions;

  constructor(store: DocumentStore, options: StoreCheckpointSaverOptions, serde?: SerializerProtocol) {
    super(serde);
    this.options = options;
    const lineage = [['threadId', 'checkpointNs', 'checkpointId']];
    this.checkpoints = store.collection<CheckpointDoc>(CHECKPOINT_COLLECTIONS.checkpoints, {
      indexes: ['threadId', 'checkpointId'],
      compositeIndexes: lineage,
    });
    this.writes = store.collection<WriteDoc>(CHECKPOINT_COLLECTIONS.writes, { indexes: ['threadId'], compositeIndexes: lineage });
    this.blobs = store.collection<BlobDoc>(CHECKPOINT_COLLECTIONS.blobs, { indexes: ['threadId'] });
  }

  private tenantOf(threadId: string): string {
    return 'tenantId' in this.options ? this.options.tenantId : this.options.tenantIdFor(threadId);
  }

  async getTuple(config: RunnableConfig): Promise<CheckpointTuple | undefined> {
    const threadId = threadIdOf(config.configurable);
    if (threadId === undefined) return undefined;
    const ns = namespaceOf(config.configurable);
    const tenantId = this.tenantOf(threadId);
    const checkpointId = getCheckpointId(config);
    const doc = checkpointId
      ? (await this.checkpoints.get(tenantId, checkpointDocId(threadId, ns, checkpointId)))?.doc
      : (await this.checkpoints.query(tenantId, { where: { threadId, checkpointNs: ns }, orderBy: NEWEST_FIRST, first: 1 }))
          .items[0]?.doc;
    if (doc === undefined) return undefined;
    return this.toTuple(tenantId, doc, checkpointId ? config : configOf(doc));
  }

  async *list(config: RunnableConfig, options: CheckpointListOptions = {}): AsyncGenerator<CheckpointTuple> {
    const { before, filter } = options;
    let { limit } = options;
    if (limit !== undefined && limit <= 0) return;
    const threadId = threadIdOf(config.configurable);
    let tenantId: string;
    if (threadId !== undefined) tenantId = this.tenantOf(threadId);
    else if ('tenantId' in this.options) tenantId = this.options.tenantId;
    else throw new Error('This StoreCheckpointSaver maps threads to tenants, so list() needs config.configurable.thread_id.');

    const where: Record<string, FieldCondition> = {};
    if (threadId !== undefined) where.threadId = threadId;
    const ns: unknown = config.configurable?.checkpoint_ns;
    if (typeof ns === 'string') where.checkpointNs = ns;
    const checkpointId = nonEmptyString(config.configurable?.checkpoint_id);
    const beforeId = nonEmptyString(before?.configurable?.checkpoint_id);
    if (checkpointId !== undefined) where.checkpointId = checkpointId;
    else if (beforeId !== undefined) where.checkpointId = { lt: beforeId };
    for (const [key, value] of Object.entries(filter ?? {})) {
      if (isIndexable(key, value)) where[`meta.${key}`] = { eq: value };
    }

    const first = Math.max(1, Math.min(Math.ceil(limit ?? LIST_PAGE_SIZE), LIST_PAGE_SIZE));
    let after: string | undefined;
    for (;;) {
      const page = await this.checkpoints.query(tenantId, {
        where,
        orderBy: NEWEST_FIRST,
        first,
        ...(after === undefined ? {} : { after }),
      });
      for (const { doc } of page.items) {
        if (checkpointId !== undefined && beforeId !== undefined && doc.checkpointId >= beforeId) continue;
        const metadata = (await this.deserialize(doc.metadataType, doc.metadata)) as CheckpointMetadata;
        // Filters on nested or long values cannot run in the store; every filter is re-checked here.
        if (filter && !matchesFilter(metadata, filter)) continue;
        yield await this.toTuple(tenantId, doc, configOf(doc), metadata);
        if (limit !== undefined && --limit <= 0) return;
      }
      if (!page.hasNextPage || page.endCursor === null) return;
      after = page.endCursor;
    }
  }

  async put(
    config: RunnableConfig,
    checkpoint: Checkpoint,
    metadata: CheckpointMetadata,
    newVersions: ChannelVersions,
  ): Promise<RunnableConfig> {
    const threadId = threadIdOf(config.configurable);
    if (threadId === undefined) throw missingThreadId('put checkpoint');
    const ns = namespaceOf(config.configurable);
    const parentId = nonEmptyString(config.configurable?.checkpoint_id);
    const tenantId = this.tenantOf(threadId);
    const { channel_values: values, ...rest } = copyCheckpoint(checkpoint);

    const inherited = new Map<string, ChannelRef>();
    if (parentId !== undefined) {
      const parent = await this.checkpoints.get(tenantId, checkpointDocId(threadId, ns, parentId));
      for (const ref of parent?.doc.channels ?? []) inherited.set(ref[0], ref);
    }
    const channels: ChannelRef[] = [];
    const blobDocs: Promise<BlobDoc>[] = [];
    for (const [channel, version] of Object.entries(newVersions)) {
      // A channel that changed but holds no value (cleared, or a delta channel between snapshots) has no blob.
      if (!Object.hasOwn(values, channel)) continue;
      channels.push([channel, version, checkpoint.id]);
      blobDocs.push(
        this.serialize(values[channel]).then(({ type, value }) => ({
          id: blobDocId(threadId, ns, checkpoint.id, channel),
          tenantId,
          threadId,
          checkpointNs: ns,
          checkpointId: checkpoint.id,
          channel,
          version,
          type,
          value,
        })),
      );
    }
    for (const [channel, version] of Object.entries(rest.channel_versions)) {
      if (Object.hasOwn(newVersions, channel)) continue;
      const ref = inherited.get(channel);
      if (ref !== undefined && String(ref[1]) === String(version)) channels.push(ref);
    }

    const [serializedCheckpoint, serializedMetadata, blobs] = await Promise.all([
      this.serialize(rest),
      this.serialize(metadata),
      Promise.all(blobDocs),
    ]);
    // Blobs first (one write), so a checkpoint is never visible before the values it references.
    for (let i = 0; i < blobs.length; i += MAX_BATCH_OPERATIONS) {
      await this.blobs.batch(tenantId, blobs.slice(i, i + MAX_BATCH_OPERATIONS).map((doc) => ({ kind: 'upsert' as const, doc })));
    }
    await this.checkpoints.upsert({
      id: checkpointDocId(threadId, ns, checkpoint.id),
      tenantId,
      threadId,
      checkpointNs: ns,
      checkpointId: checkpoint.id,
      parentCheckpointId: parentId ?? null,
      type: serializedCheckpoint.type,
      checkpoint: serializedCheckpoint.value,
      metadataType: serializedMetadata.type,
      metadata: serializedMetadata.value,
      meta: indexedMetadata(metadata),
      channels,
      createdAt: new Date().toISOString(),
    });
    return { configurable: { thread_id: threadId, checkpoint_ns: ns, checkpoint_id: checkpoint.id } };
  }

  async putWrites(config: RunnableConfig, writes: PendingWrite[], taskId: string, taskPath?: string): Promise<void> {
    const threadId = threadIdOf(config.configurable);
    if (threadId === undefined) throw missingThreadId('put writes');
    const checkpointId = nonEmptyString(config.configurable?.checkpoint_id);
    if (checkpointId === undefined) throw new Error('Failed to put writes: config.configurable.checkpoint_id is missing.');
    const ns = namespaceOf(config.configurable);
    const tenantId = this.tenantOf(threadId);
    const docs = await Promise.all(
      writes.map(async ([channel, value], position): Promise<WriteDoc> => {
        const idx = WRITES_IDX_MAP[channel] || position;
        return {
          id: writeDocId(threadId, ns, checkpointId, taskId, idx),
          tenantId,
          threadId,
          checkpointNs: ns,
          checkpointId,
          taskId,
          idx,
          taskPath: taskPath ?? '',
          channel,
          ...(await this.serialize(value)),
        };
      }),
    );
    // Special channels (errors, interrupts, resume values) replace their slot; regular writes keep the first stored.
    const operations = docs.map((doc) => ({ kind: doc.idx < 0 ? ('upsert' as const) : ('create' as const), doc }));
    if (operations.length > 1 && operations.length <= MAX_BATCH_OPERATIONS) {
      try {
        // All in one write; only a task's writes stored before (a step run again) make it fall back to one by one.
        await this.writes.batch(tenantId, operations);
        return;
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
      }
    }
    await Promise.all(
      operations.map(async ({ kind, doc }) => {
        if (kind === 'upsert') {
          await this.writes.upsert(doc);
          return;
        }
        try {
          await this.writes.create(doc);
        } catch (error) {
          if (!(error instanceof ConflictError)) throw error;
        }
      }),
    );
  }

  async deleteThread(threadId: string): Promise<void> {
    const tenantId = this.tenantOf(threadId);
    // Checkpoints first, so a concurrent reader stops finding the thread before its values disappear.
    await deleteThreadDocs(this.checkpoints, tenantId, threadId);
    await deleteThreadDocs(this.writes, tenantId, threadId);
    await deleteThreadDocs(this.blobs, tenantId, threadId);
  }

  private async toTuple(
    tenantId: string,
    doc: CheckpointDoc,
    config: RunnableConfig,
    metadata?: CheckpointMetadata,
  ): Promise<CheckpointTuple> {
    const [checkpoint, loadedMetadata, writes] = await Promise.all([
      this.loadCheckpoint(tenantId, doc),
      metadata ?? (this.deserialize(doc.metadataType, doc.metadata) as Promise<CheckpointMetadata>),
      this.orderedWrites(tenantId, { threadId: doc.threadId, checkpointNs: doc.checkpointNs, checkpointId: doc.checkpointId }),
    ]);
    const pendingWrites = await Promise.all(
      writes.map(async (write): Promise<CheckpointPendingWrite> => {
        return [write.taskId, write.channel, await this.deserialize(write.type, write.value)];
      }),
    );
    const tuple: CheckpointTuple = { config, checkpoint, metadata: loadedMetadata, pendingWrites };
    if (doc.parentCheckpointId !== null) tuple.parentConfig = configOf(doc, doc.parentCheckpointId);
    return tuple;
  }

  private async loadCheckpoint(tenantId: string, doc: CheckpointDoc): Promise<Checkpoint> {
    const [base, entries] = await Promise.all([
      this.deserialize(doc.type, doc.checkpoint) as Promise<Omit<Checkpoint, 'channel_values'>>,
      Promise.all(
        doc.channels.map(async ([channel, , source]) => {
          const blob = await this.blobs.get(tenantId, blobDocId(doc.threadId, doc.checkpointNs, source, channel));
          return blob === null ? undefined : ([channel, await this.deserialize(blob.doc.type, blob.doc.value)] as const);
        }),
      ),
    ]);
    const checkpoint: Checkpoint = {
      ...base,
      channel_values: Object.fromEntries(entries.filter((entry) => entry !== undefined)),
    };
    if (checkpoint.v < 4 && doc.parentCheckpointId !== null) {
      await this.migratePendingSends(tenantId, checkpoint, doc, doc.parentCheckpointId);
    }
    return checkpoint;
  }

  /** Format < 4 kept pending sends as TASKS writes on the parent; newer LangGraph expects them in channel_values. */
  private async migratePendingSends(
    tenantId: string,
    checkpoint: Checkpoint,
    doc: CheckpointDoc,
    parentId: string,
  ): Promise<void> {
    const sends = await this.orderedWrites(tenantId, {
      threadId: doc.threadId,
      checkpointNs: doc.checkpointNs,
      checkpointId: parentId,
      channel: TASKS,
    });
    checkpoint.channel_values[TASKS] = await Promise.all(sends.map((send) => this.deserialize(send.type, send.value)));
    const versions = Object.values(checkpoint.channel_versions);
    checkpoint.channel_versions[TASKS] = versions.length > 0 ? maxChannelVersion(...versions) : this.getNextVersion(undefined);
  }

  private async orderedWrites(tenantId: string, where: Record<string, FieldCondition>): Promise<WriteDoc[]> {
    const docs: WriteDoc[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await this.writes.query(tenantId, { where, first: SCAN_PAGE_SIZE, ...(after === undefined ? {} : { after }) });
      for (const { doc } of page.items) docs.push(doc);
      if (!page.hasNextPage || page.endCursor === null) break;
      after = page.endCursor;
    }
    const keyed = docs.map((doc) => ({ doc, key: writesSortKey(doc.taskPath, doc.taskId, doc.idx) }));
    keyed.sort((a, b) => compareWritesSortKeys(a.key, b.key));
    return keyed.map(({ doc }) => doc);
  }

  private async serialize(value: unknown): Promise<{ type: string; value: string }> {
    const [type, bytes] = await this.serde.dumpsTyped(value);
    return { type, value: Buffer.from(bytes).toString('base64') };
  }

  private deserialize(type: string, base64: string): Promise<unknown> {
    return this.serde.loadsTyped(type, Uint8Array.from(Buffer.from(base64, 'base64')));
  }
}

/** Re-query from the start after each batch: the deleted documents drop out, so no cursor is needed. */
async function deleteThreadDocs<T extends ThreadDoc>(
  collection: Collection<T>,
  tenantId: string,
  threadId: string,
): Promise<void> {
  for (;;) {
    const page = await collection.query(tenantId, { where: { threadId }, first: SCAN_PAGE_SIZE });
    const ids = page.items.map(({ doc }) => doc.id);
    for (let i = 0; i < ids.length; i += DELETE_CONCURRENCY) {
      await Promise.all(ids.slice(i, i + DELETE_CONCURRENCY).map((id) => collection.delete(tenantId, id)));
    }
    if (!page.hasNextPage) return;
  }
}
