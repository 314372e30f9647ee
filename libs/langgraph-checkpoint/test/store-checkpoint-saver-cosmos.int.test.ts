import { randomUUID } from 'node:crypto';
import { Agent } from 'node:https';
import type { AddressInfo } from 'node:net';
import { deltaChannelHistoryTests, validate, type CheckpointSaverTestInitializer } from '@langchain/langgraph-checkpoint-validation';
import { CosmosStore } from '@switchyard/store';
// Before the server: its batches become all or nothing, as Cosmos DB's are.
import '../../stack/src/cosmos-atomic-batches.mjs';
import { createHttpsServer } from '@vercel/cosmosdb-server';
import { StoreCheckpointSaver } from '../src/store-checkpoint-saver.ts';

// @vercel/cosmosdb-server serves HTTPS with a bundled self-signed certificate; only this test trusts it.
const agent = new Agent({ rejectUnauthorized: false });
const server = createHttpsServer();
let store: CosmosStore;
const tenants = new WeakMap<StoreCheckpointSaver, string>();

// One emulator and database for the run; each checkpointer the suite creates gets its own tenant partition.
const initializer: CheckpointSaverTestInitializer<StoreCheckpointSaver> = {
  checkpointerName: 'StoreCheckpointSaver (CosmosStore)',
  async beforeAll() {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    store = new CosmosStore({
      endpoint: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
      key: Buffer.from('cosmosdb-server accepts any key').toString('base64'),
      databaseId: `lg-checkpoint-${randomUUID()}`,
      containerPrefix: 'engine-',
      agent,
      connectionPolicy: { enableEndpointDiscovery: false },
    });
  },
  beforeAllTimeout: 30_000,
  async afterAll() {
    await store.close();
    agent.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
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
deltaChannelHistoryTests(initializer);
