import { join } from 'node:path';
import { cosmosConnection } from './cosmos-connection.ts';
import { CosmosStore } from './cosmos-store.ts';
import type { DocumentStore } from './document-store.ts';
import { SqliteStore } from './sqlite-store.ts';

export type * from './document-store.ts';
export { MAX_BATCH_OPERATIONS } from './document-store.ts';
export { CosmosStore, type CosmosStoreOptions } from './cosmos-store.ts';
export { SqliteStore, type SqliteStoreOptions } from './sqlite-store.ts';
export { MAX_VECTOR_DIMENSIONS, MAX_VECTOR_K, type VectorEntry, type VectorIndex, type VectorMatch } from './vector-index.ts';
export { SqliteVectorIndex, type SqliteVectorIndexOptions } from './sqlite-vector-index.ts';
export { CosmosVectorIndex, type CosmosVectorIndexOptions } from './cosmos-vector-index.ts';
export { createVectorIndexFromEnv } from './vector-index-from-env.ts';
export { TenantErasedError, withTenantTombstones, withTombstoneGuard, type TombstonedStore } from './tenant-tombstones.ts';
export { cosmosConnection, type CosmosConnection } from './cosmos-connection.ts';

export interface StoreEnv {
  STORE_DRIVER?: 'sqlite' | 'cosmos';
  /** Directory for SQLite files. */
  dataDir: string;
  /** The owning service's name: the SQLite file name, or the Cosmos container prefix. */
  service: string;
  COSMOS_ENDPOINT?: string;
  COSMOS_KEY?: string;
  COSMOS_DATABASE?: string;
  /** Comma-separated Azure regions, nearest first (multi-region accounts). */
  COSMOS_PREFERRED_REGIONS?: string;
}

/**
 * Open the store a service is configured for: by default SQLite at `<dataDir>/<service>.db`; with
 * STORE_DRIVER=cosmos, the Cosmos database COSMOS_DATABASE (default "switchyard") with containers
 * named `<service>-<collection>`, so services sharing a database never share a container.
 */
export function createStoreFromEnv(env: StoreEnv): DocumentStore {
  if (env.STORE_DRIVER !== 'cosmos') return new SqliteStore({ filename: join(env.dataDir, `${env.service}.db`) });
  return new CosmosStore({ ...cosmosConnection(env), containerPrefix: `${env.service}-` });
}
