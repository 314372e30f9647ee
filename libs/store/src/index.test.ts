import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CosmosStore, SqliteStore, cosmosConnection, createStoreFromEnv } from './index.ts';

describe('createStoreFromEnv', () => {
  it('opens <dataDir>/<service>.db with SQLite by default', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'switchyard-env-'));
    try {
      const store = createStoreFromEnv({ dataDir: join(dataDir, 'data'), service: 'runs' });
      expect(store).toBeInstanceOf(SqliteStore);
      await store.collection('x').create({ id: '1', tenantId: 't' });
      expect(existsSync(join(dataDir, 'data', 'runs.db'))).toBe(true);
      await store.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('builds a CosmosStore for STORE_DRIVER=cosmos and insists on its endpoint', async () => {
    expect(() => createStoreFromEnv({ STORE_DRIVER: 'cosmos', dataDir: '.', service: 'runs' })).toThrow(/COSMOS_ENDPOINT/);
    const store = createStoreFromEnv({
      STORE_DRIVER: 'cosmos',
      dataDir: '.',
      service: 'runs',
      COSMOS_ENDPOINT: 'https://127.0.0.1:1',
      COSMOS_KEY: 'a2V5',
    });
    expect(store).toBeInstanceOf(CosmosStore);
    await store.close();
  });

  it('signs with Entra ID when no key is set, and orders the preferred regions as given', () => {
    const keyless = cosmosConnection({ STORE_DRIVER: 'cosmos', dataDir: '.', service: 'runs', COSMOS_ENDPOINT: 'https://acct.documents.azure.com/', COSMOS_PREFERRED_REGIONS: 'West Europe, North Europe ,East US' });
    expect(keyless.key).toBeUndefined();
    expect(keyless.credential?.getToken).toBeTypeOf('function');
    expect(keyless.connectionPolicy).toEqual({ preferredLocations: ['West Europe', 'North Europe', 'East US'] });
    const keyed = cosmosConnection({ STORE_DRIVER: 'cosmos', dataDir: '.', service: 'runs', COSMOS_ENDPOINT: 'https://127.0.0.1:1', COSMOS_KEY: 'a2V5' });
    expect(keyed).toEqual({ endpoint: 'https://127.0.0.1:1', key: 'a2V5', databaseId: 'switchyard' });
  });
});
