import { randomUUID } from 'node:crypto';
import { Agent } from 'node:https';
import type { AddressInfo } from 'node:net';
// Before the server: its batches become all or nothing, as Cosmos DB's are.
import '../../stack/src/cosmos-atomic-batches.mjs';
import { createHttpsServer } from '@vercel/cosmosdb-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CosmosStore } from '../src/cosmos-store.ts';
import { describeDocumentStoreContract } from '../src/document-store.contract.ts';
import type { BaseDocument } from '../src/document-store.ts';

// @vercel/cosmosdb-server serves HTTPS with a bundled self-signed certificate; only this test trusts it.
const agent = new Agent({ rejectUnauthorized: false });
const server = createHttpsServer();
let endpoint = '';

beforeAll(async () => {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  endpoint = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  agent.destroy();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function cosmosStore(databaseId: string): CosmosStore {
  return new CosmosStore({
    endpoint,
    key: Buffer.from('cosmosdb-server accepts any key').toString('base64'),
    databaseId,
    containerPrefix: 'svc-',
    agent,
    connectionPolicy: { enableEndpointDiscovery: false },
  });
}

// A database per test keeps tests independent on one emulator.
describeDocumentStoreContract('CosmosStore (@vercel/cosmosdb-server)', async () => {
  const store = cosmosStore(`test-${randomUUID()}`);
  return { store, cleanup: () => store.close() };
});

interface Counter extends BaseDocument {
  hits: number;
}

describe('CosmosStore instances sharing one database', () => {
  // Separate clients stand in for separate processes: their increments race through If-Match retries.
  it('keeps increments exact across instances, including the race to create', async () => {
    const databaseId = `test-${randomUUID()}`;
    const stores = [cosmosStore(databaseId), cosmosStore(databaseId), cosmosStore(databaseId)];
    try {
      const counters = stores.map((store) => store.collection<Counter>('counters'));
      await Promise.all(Array.from({ length: 60 }, (_, i) => counters[i % 3]!.increment('t', 'shared', 'hits', 1, { hits: 0 })));
      expect((await counters[0]!.get('t', 'shared'))?.doc.hits).toBe(60);
    } finally {
      await Promise.all(stores.map((store) => store.close()));
    }
  });

  it('lists containers created by another instance in deleteTenant', async () => {
    const databaseId = `test-${randomUUID()}`;
    const [writer, cleaner] = [cosmosStore(databaseId), cosmosStore(databaseId)];
    try {
      await writer.collection<Counter>('a').create({ id: '1', tenantId: 't', hits: 0 });
      await writer.collection<Counter>('b').create({ id: '1', tenantId: 't', hits: 0 });
      await writer.collection<Counter>('b').create({ id: '1', tenantId: 'other', hits: 0 });
      expect(await cleaner.deleteTenant('t')).toBe(2);
      expect(await writer.collection<Counter>('b').get('other', '1')).not.toBeNull();
    } finally {
      await Promise.all([writer.close(), cleaner.close()]);
    }
  });
});
