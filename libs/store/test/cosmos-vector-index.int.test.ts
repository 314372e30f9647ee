import { randomUUID } from 'node:crypto';
import { Agent } from 'node:https';
import type { AddressInfo } from 'node:net';
import { CosmosClient } from '@azure/cosmos';
// Before the server: its batches become all or nothing, as Cosmos DB's are.
import '../../stack/src/cosmos-atomic-batches.mjs';
import { createHttpsServer } from '@vercel/cosmosdb-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CosmosStore } from '../src/cosmos-store.ts';
import { CosmosVectorIndex } from '../src/cosmos-vector-index.ts';
import { describeVectorIndexContract } from '../src/vector-index.contract.ts';

// @vercel/cosmosdb-server serves HTTPS with a bundled self-signed certificate; only this test trusts it.
const agent = new Agent({ rejectUnauthorized: false });
const server = createHttpsServer();
let endpoint = '';
const key = Buffer.from('cosmosdb-server accepts any key').toString('base64');

/** Why nearest-neighbour queries cannot run here: the emulator's own answer to one, or null if it answers. */
let queryUnsupported: string | null = null;

beforeAll(async () => {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  endpoint = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const probeDatabase = `probe-${randomUUID()}`;
  const probe = vectorIndex(probeDatabase);
  await probe.upsert('t', [{ id: 'p', documentId: 'd', vector: [1, 0] }]);
  try {
    await probe.query('t', [1, 0], 1);
  } catch (error) {
    // The adapter's query fails on its ORDER BY; the bare function call shows the cause.
    const client = new CosmosClient({ endpoint, key, agent, connectionPolicy: { enableEndpointDiscovery: false } });
    const container = client.database(probeDatabase).container('svc-vectors-d2');
    const cause = await container.items
      .query({ query: 'SELECT VALUE VectorDistance(c.embedding, [1, 0]) FROM c' })
      .fetchAll()
      .then(() => 'VectorDistance answers, but the query failed', (e: Error) => e.message.split('\n')[0]);
    client.dispose();
    queryUnsupported = `the emulator @vercel/cosmosdb-server has no vector search ("${cause}"; the query said "${(error as Error).message.split('\n')[0]}"); run this suite against Azure Cosmos DB to cover queries`;
  }
  await probe.close();
});

afterAll(async () => {
  agent.destroy();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function vectorIndex(databaseId: string): CosmosVectorIndex {
  return new CosmosVectorIndex({ endpoint, key, databaseId, containerPrefix: 'svc-', agent, connectionPolicy: { enableEndpointDiscovery: false } });
}

describeVectorIndexContract('CosmosVectorIndex (@vercel/cosmosdb-server)', async () => {
  const index = vectorIndex(`test-${randomUUID()}`);
  return { index, cleanup: () => index.close(), ...(queryUnsupported ? { queryUnsupported } : {}) };
});

describe('CosmosVectorIndex on the emulator', () => {
  it('finds that the emulator lacks VectorDistance (when this fails, it has learned vector search and the contract queries run)', () => {
    expect(queryUnsupported).toMatch(/VECTORDISTANCE is not a function/);
  });

  it('refuses a query it cannot answer as UNAVAILABLE, saying how to enable vector search', async () => {
    const index = vectorIndex(`test-${randomUUID()}`);
    try {
      await index.upsert('t', [{ id: 'p', documentId: 'd', vector: [1, 0] }]);
      const error = await index.query('t', [1, 0], 1).then(() => null, (e: unknown) => e);
      expect(error).toMatchObject({ extensions: { code: 'UNAVAILABLE' } });
      expect((error as Error).message).toMatch(/EnableNoSQLVectorSearch.*VECTOR_INDEX_DRIVER=sqlite/);
    } finally {
      await index.close();
    }
  });

  it("lives in containers under the service's prefix, so the store's deleteTenant erases its vectors too", async () => {
    const databaseId = `test-${randomUUID()}`;
    const index = vectorIndex(databaseId);
    const store = new CosmosStore({ endpoint, key, databaseId, containerPrefix: 'svc-', agent, connectionPolicy: { enableEndpointDiscovery: false } });
    try {
      await index.upsert('leaving', [
        { id: 'a', documentId: 'd', vector: [1, 0, 0] },
        { id: 'b', documentId: 'd', vector: [0, 1] },
      ]);
      await index.upsert('staying', [{ id: 'a', documentId: 'd', vector: [1, 0, 0] }]);
      const exported = await store.exportTenant('leaving');
      expect(Object.keys(exported).sort()).toEqual(['vectors-d2', 'vectors-d3']);
      expect(await store.deleteTenant('leaving')).toBe(2);
      expect(await index.count('leaving')).toBe(0);
      expect(await index.count('staying')).toBe(1);
    } finally {
      await index.close();
      await store.close();
    }
  });
});
