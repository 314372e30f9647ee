import { afterEach, describe, expect, it } from 'vitest';
import type { TenantContext } from '@switchyard/contracts';
import { ContextTokens, ServiceClient } from '@switchyard/service-kit';
import { SqliteStore } from '@switchyard/store';
import { EngineDirectory } from './engine-directory.ts';
import { EventLog } from './event-log.ts';
import { LocalEventNotifier } from './event-notifier.ts';
import { WorkflowManager } from './workflow-manager.ts';
import type { IdempotencyDoc } from './workflow-documents.ts';

const context: TenantContext = { tenantId: 't1', role: 'DEVELOPER', keyId: 'k1', subject: 'key:k1' };

describe('idempotency keys of startWorkflow', () => {
  const stores: SqliteStore[] = [];
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.close()));
  });

  function setUp() {
    const store = new SqliteStore({ filename: ':memory:' });
    stores.push(store);
    const tokens = new ContextTokens('a-test-secret-of-at-least-32-characters!');
    // No engine is configured, so every start fails after claiming its key: what a crash or a
    // failing dependency between the claim and the workflow leaves behind.
    const manager = new WorkflowManager(store, new EventLog(store, new LocalEventNotifier(3_600_000)), new ServiceClient('http://127.0.0.1:9/graphql', tokens), () => {
      throw new Error('no workflow runs here');
    }, new EngineDirectory({}, tokens));
    return { manager, claims: store.collection<IdempotencyDoc>('idempotency_keys') };
  }

  it('frees the key when the workflow could not be made, so a retry with it is not stuck', async () => {
    const { manager, claims } = setUp();
    const start = () => manager.start(context, { input: 'Reconcile the ledger', framework: 'LANGGRAPH', idempotencyKey: 'job-1' });
    await expect(start()).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect(await claims.get('t1', 'job-1')).toBeNull();
    await expect(start()).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
  });

  it('takes over a claim whose replica died before making the workflow, but waits on a fresh one', async () => {
    const { manager, claims } = setUp();
    await claims.create({ id: 'stale', tenantId: 't1', workflowId: 'never-made', createdAt: new Date(Date.now() - 60_000).toISOString() });
    await expect(manager.start(context, { input: 'Reconcile', framework: 'LANGGRAPH', idempotencyKey: 'stale' })).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });

    await claims.create({ id: 'fresh', tenantId: 't1', workflowId: 'being-made', createdAt: new Date().toISOString() });
    await expect(manager.start(context, { input: 'Reconcile', framework: 'LANGGRAPH', idempotencyKey: 'fresh' })).rejects.toMatchObject({
      extensions: { code: 'CONFLICT' },
      message: expect.stringContaining('still being created; retry shortly'),
    });
    expect((await claims.get('t1', 'fresh'))?.doc.workflowId).toBe('being-made');
  });
});
