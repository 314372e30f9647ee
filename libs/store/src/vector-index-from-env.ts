import { join } from 'node:path';
import { cosmosConnection } from './cosmos-connection.ts';
import { CosmosVectorIndex } from './cosmos-vector-index.ts';
import type { StoreEnv } from './index.ts';
import { SqliteVectorIndex } from './sqlite-vector-index.ts';
import type { VectorIndex } from './vector-index.ts';

/**
 * Open the vector index beside the service's store (see createStoreFromEnv): by default sqlite-vec
 * tables in the same SQLite file `<dataDir>/<service>.db`; with STORE_DRIVER=cosmos, containers
 * `<service>-<name>-d<dimensions>` in the same database, so the store's deleteTenant covers them.
 */
export function createVectorIndexFromEnv(env: StoreEnv, name = 'vectors'): VectorIndex {
  if (env.STORE_DRIVER !== 'cosmos') return new SqliteVectorIndex({ filename: join(env.dataDir, `${env.service}.db`), name });
  return new CosmosVectorIndex({ ...cosmosConnection(env), containerPrefix: `${env.service}-`, name });
}
