import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CosmosStore, SqliteStore, createStoreFromEnv } from './index.ts';

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

  it('builds a CosmosStore for STORE_DRIVER=cosmos and insists on its endpoint and key', async () => {
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
});
