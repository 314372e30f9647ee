import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TenantContext, WorkflowStatus } from '@switchyard/contracts';
import { createLogger } from '@switchyard/service-kit';
import { SqliteStore, type Collection } from '@switchyard/store';
import { redisServerAvailable, startRedisServer, type RunningRedis } from '@switchyard/testkit';
import { EventLog } from './event-log.ts';
import { LocalEventNotifier, RedisEventNotifier } from './event-notifier.ts';
import { TenantStatusFeeds } from './tenant-status-feed.ts';
import type { WorkflowDoc } from './workflow-documents.ts';
import { workflowFixture } from './workflow-fixture.ts';

// Long enough that a test only passes when a notification, not the safety-net poll, delivers the change.
const NEVER_POLLS = 3_600_000;
const viewer = (tenantId: string): TenantContext => ({ tenantId, role: 'VIEWER', keyId: null, subject: 'test' });

const workflowDoc = (tenantId: string, id: string, status: WorkflowStatus, ageMs = 0): WorkflowDoc => workflowFixture(tenantId, id, status, { ageMs });

/** What the orchestrator does on a status change: write the document, then append the status event. */
async function changeStatus(workflows: Collection<WorkflowDoc>, events: EventLog, doc: WorkflowDoc, status: WorkflowStatus, eventType: string): Promise<WorkflowDoc> {
  const stored = await workflows.get(doc.tenantId, doc.id);
  const next = { ...stored!.doc, status, updatedAt: new Date(Math.max(Date.now(), Date.parse(stored!.doc.updatedAt) + 1)).toISOString() };
  await workflows.replace(next, { ifMatch: stored!.etag });
  await events.append(doc.tenantId, doc.id, 'LANGGRAPH', { type: eventType });
  return next;
}

async function nextWithin<T>(iterator: AsyncIterableIterator<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ms)));
  const result = await Promise.race([iterator.next().then((r) => (r.done ? ('timeout' as const) : r.value)), timeout]);
  clearTimeout(timer);
  return result;
}

describe('TenantStatusFeeds', () => {
  it("delivers each status change of the tenant's workflows once, not an older state, and nothing of another tenant", async () => {
    const store = new SqliteStore({ filename: ':memory:' });
    const events = new EventLog(store, new LocalEventNotifier(NEVER_POLLS));
    const workflows = store.collection<WorkflowDoc>('workflows', { indexes: ['status', 'createdAt', 'updatedAt'] });
    const feeds = new TenantStatusFeeds(workflows, events.notifier);
    const before = await workflows.create(workflowDoc('t1', 'w-before', 'RUNNING', 60_000)).then((s) => s.doc);
    const stream = feeds.subscribe(viewer('t1'));
    const first = stream.next();

    const mine = await workflows.create(workflowDoc('t1', 'w-1', 'QUEUED')).then((s) => s.doc);
    await events.append('t1', mine.id, 'LANGGRAPH', { type: 'WORKFLOW_STARTED' });
    expect(((await first).value as WorkflowDoc)).toMatchObject({ id: 'w-1', status: 'QUEUED' });

    const other = await workflows.create(workflowDoc('t2', 'w-other', 'QUEUED')).then((s) => s.doc);
    await changeStatus(workflows, events, other, 'WAITING_FOR_INPUT', 'WAITING_FOR_INPUT');
    await changeStatus(workflows, events, mine, 'WAITING_FOR_INPUT', 'WAITING_FOR_INPUT');
    expect(await nextWithin(stream, 5000)).toMatchObject({ id: 'w-1', status: 'WAITING_FOR_INPUT' });

    // A second wake-up for the same change (a repeated notification) delivers nothing new.
    events.notifier.notify('tenant:t1', 99);
    await changeStatus(workflows, events, before, 'SUCCEEDED', 'WORKFLOW_SUCCEEDED');
    expect(await nextWithin(stream, 5000)).toMatchObject({ id: 'w-before', status: 'SUCCEEDED' });
    expect(await nextWithin(stream, 300)).toBe('timeout');

    expect(feeds.size).toBe(1);
    await stream.return!();
    expect(feeds.size).toBe(0);
  });

  it('refuses a caller without a tenant', () => {
    const store = new SqliteStore({ filename: ':memory:' });
    const feeds = new TenantStatusFeeds(store.collection<WorkflowDoc>('workflows', { indexes: ['status', 'createdAt', 'updatedAt'] }), new LocalEventNotifier(NEVER_POLLS));
    expect(() => feeds.subscribe({ tenantId: null, role: 'PLATFORM_ADMIN', keyId: null, subject: 'admin' })).toThrow(/tenant/i);
  });

  it('finds a change nobody announced by the safety-net poll', async () => {
    const store = new SqliteStore({ filename: ':memory:' });
    const workflows = store.collection<WorkflowDoc>('workflows', { indexes: ['status', 'createdAt', 'updatedAt'] });
    const feeds = new TenantStatusFeeds(workflows, new LocalEventNotifier(200));
    const stream = feeds.subscribe(viewer('t1'));
    const first = stream.next();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await workflows.create(workflowDoc('t1', 'w-quiet', 'RUNNING'));
    expect((await first).value).toMatchObject({ id: 'w-quiet', status: 'RUNNING' });
    await stream.return!();
  });
});

// .ci/run installs redis-server and sets SWITCHYARD_REQUIRE_REDIS=1, so CI always runs these.
const hasRedis = redisServerAvailable();
if (!hasRedis && process.env.SWITCHYARD_REQUIRE_REDIS) throw new Error('redis-server is required for these tests (apt-get install redis-server)');

describe.skipIf(!hasRedis)('tenant status changes across replicas through Redis pub/sub (real redis-server)', () => {
  let redis: RunningRedis;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('a subscriber on one replica sees a change made on another at once, long before it would poll', async () => {
    const logger = createLogger('test', 'silent');
    const store = new SqliteStore({ filename: ':memory:' });
    const workflows = store.collection<WorkflowDoc>('workflows', { indexes: ['status', 'createdAt', 'updatedAt'] });
    const replicaA = new EventLog(store, new RedisEventNotifier(redis.url, logger, NEVER_POLLS));
    const notifierB = new RedisEventNotifier(redis.url, logger, NEVER_POLLS);
    const feedsB = new TenantStatusFeeds(workflows, notifierB);
    const doc = await workflows.create(workflowDoc('t1', 'w-redis', 'RUNNING', 60_000)).then((s) => s.doc);
    const stream = feedsB.subscribe(viewer('t1'));
    const delivered = stream.next();
    await new Promise((resolve) => setTimeout(resolve, 200)); // the SUBSCRIBE reaches Redis
    await changeStatus(workflows, replicaA, doc, 'WAITING_FOR_INPUT', 'WAITING_FOR_INPUT');
    const result = await Promise.race([delivered, new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), 2000))]);
    expect(result === 'late' ? result : result.value).toMatchObject({ id: 'w-redis', status: 'WAITING_FOR_INPUT' });
    await stream.return!();
    await replicaA.notifier.close();
    await notifierB.close();
  });
});
