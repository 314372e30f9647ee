import type { Agent } from 'node:http';
import type { TokenCredential } from '@azure/core-auth';
import {
  CosmosClient,
  VectorEmbeddingDataType,
  VectorEmbeddingDistanceFunction,
  VectorIndexType,
  type ConnectionPolicy,
  type Container,
  type Database,
} from '@azure/cosmos';
import { UnavailableError } from '@switchyard/contracts';
import { checkVector, checkVectorEntry, clampK, type VectorEntry, type VectorIndex, type VectorMatch } from './vector-index.ts';

export interface CosmosVectorIndexOptions {
  endpoint: string;
  /** The account key; without one, Microsoft Entra ID (`credential`) signs the requests. */
  key?: string;
  /** Entra ID credential (e.g. DefaultAzureCredential: workload identity on AKS), used when no key is given. */
  credential?: TokenCredential;
  databaseId: string;
  /** Prepended to the container ids; use the service's store prefix so the store's deleteTenant covers them too. */
  containerPrefix?: string;
  /** Names the index's containers (`<prefix><name>-d<dimensions>`). Default "vectors". */
  name?: string;
  /** quantizedFlat (default; exact over a tenant's partition, compressed) or diskANN (approximate, for large partitions). */
  indexType?: 'quantizedFlat' | 'diskANN';
  agent?: Agent;
  connectionPolicy?: Partial<ConnectionPolicy>;
}

interface VectorItem {
  id: string;
  tenantId: string;
  documentId: string;
  embedding: number[];
}

const DELETE_CONCURRENCY = 16;

function statusOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/**
 * The Azure Cosmos DB VectorIndex: one container per vector length (`<prefix><name>-d<n>`,
 * partition key /tenantId) with a vector embedding policy (float32, cosine) and a vector index, so
 * a query is `SELECT TOP k ... ORDER BY VectorDistance(...)` inside the tenant's partition, with the
 * tenant also named in SQL. Cosmos reports cosine similarity; this adapter returns 1 - similarity
 * so both adapters speak of distance.
 */
export class CosmosVectorIndex implements VectorIndex {
  private readonly client: CosmosClient;
  private readonly containerPrefix: string;
  private databasePromise: Promise<Database> | undefined;
  private readonly containers = new Map<number, Promise<Container>>();

  constructor(private readonly options: CosmosVectorIndexOptions) {
    this.containerPrefix = `${options.containerPrefix ?? ''}${options.name ?? 'vectors'}-d`;
    this.client = new CosmosClient({
      endpoint: options.endpoint,
      ...(options.key ? { key: options.key } : { aadCredentials: options.credential }),
      ...(options.agent ? { agent: options.agent } : {}),
      ...(options.connectionPolicy ? { connectionPolicy: options.connectionPolicy } : {}),
    });
  }

  private database(): Promise<Database> {
    this.databasePromise ??= this.client.databases
      .createIfNotExists({ id: this.options.databaseId })
      .then(({ database }) => database)
      .catch((error: unknown) => {
        this.databasePromise = undefined;
        if (statusOf(error) === 409) return this.client.database(this.options.databaseId);
        throw error;
      });
    return this.databasePromise;
  }

  private container(dimensions: number): Promise<Container> {
    let container = this.containers.get(dimensions);
    if (!container) {
      container = (async () => {
        const database = await this.database();
        const id = `${this.containerPrefix}${dimensions}`;
        try {
          await database.containers.createIfNotExists({
            id,
            partitionKey: { paths: ['/tenantId'] },
            vectorEmbeddingPolicy: {
              vectorEmbeddings: [
                { path: '/embedding', dataType: VectorEmbeddingDataType.Float32, distanceFunction: VectorEmbeddingDistanceFunction.Cosine, dimensions },
              ],
            },
            indexingPolicy: {
              includedPaths: [{ path: '/*' }],
              excludedPaths: [{ path: '/embedding/*' }],
              vectorIndexes: [{ path: '/embedding', type: this.options.indexType === 'diskANN' ? VectorIndexType.DiskANN : VectorIndexType.QuantizedFlat }],
            },
          });
        } catch (error) {
          if (statusOf(error) !== 409) throw error;
        }
        return database.container(id);
      })().catch((error: unknown) => {
        this.containers.delete(dimensions);
        throw error;
      });
      this.containers.set(dimensions, container);
    }
    return container;
  }

  /** The containers of this index that exist now, including ones other processes created. */
  private async existing(): Promise<Container[]> {
    const database = this.client.database(this.options.databaseId);
    try {
      const { resources } = await database.containers.readAll().fetchAll();
      return resources.filter((c) => c.id.startsWith(this.containerPrefix)).map((c) => database.container(c.id));
    } catch (error) {
      if (statusOf(error) === 404) return [];
      throw error;
    }
  }

  async upsert(tenantId: string, entries: readonly VectorEntry[]): Promise<void> {
    entries.forEach(checkVectorEntry);
    // An id may move to another length (a new embedding model): remove it from the other lengths' containers.
    for (const container of await this.existing()) {
      const length = Number(container.id.slice(this.containerPrefix.length));
      const moved = entries.filter((e) => e.vector.length !== length);
      for (let i = 0; i < moved.length; i += DELETE_CONCURRENCY) {
        await Promise.all(moved.slice(i, i + DELETE_CONCURRENCY).map((e) => deleteItem(container, tenantId, e.id)));
      }
    }
    for (let i = 0; i < entries.length; i += DELETE_CONCURRENCY) {
      await Promise.all(
        entries.slice(i, i + DELETE_CONCURRENCY).map(async (entry) => {
          const item: VectorItem = { id: entry.id, tenantId, documentId: entry.documentId, embedding: [...entry.vector] };
          await (await this.container(entry.vector.length)).items.upsert(item);
        }),
      );
    }
  }

  async query(tenantId: string, vector: readonly number[], k: number): Promise<VectorMatch[]> {
    checkVector(vector);
    const database = this.client.database(this.options.databaseId);
    let resources: { id: string; documentId: string; score: number }[];
    try {
      ({ resources } = await database
        .container(`${this.containerPrefix}${vector.length}`)
        .items.query<{ id: string; documentId: string; score: number }>(
          {
            query: `SELECT TOP @k c.id, c.documentId, VectorDistance(c.embedding, @v) AS score FROM c WHERE c.tenantId = @t ORDER BY VectorDistance(c.embedding, @v)`,
            parameters: [
              { name: '@k', value: clampK(k) },
              { name: '@v', value: [...vector] },
              { name: '@t', value: tenantId },
            ],
          },
          { partitionKey: tenantId },
        )
        .fetchAll());
    } catch (error) {
      // No container for this length (or no database yet): the tenant has no such vectors.
      if (statusOf(error) === 404) return [];
      // A Cosmos DB account without vector search (or a local Cosmos-compatible server) refuses the query itself.
      if (statusOf(error) === 400 || /vectordistance/i.test((error as Error).message ?? '')) {
        throw new UnavailableError(
          'The vector index cannot answer nearest-neighbour queries: enable vector search on the Cosmos DB account (capability EnableNoSQLVectorSearch), or for a single replica set VECTOR_INDEX_DRIVER=sqlite.',
        );
      }
      throw error;
    }
    return resources.map((r) => ({ id: r.id, documentId: r.documentId, distance: 1 - r.score }));
  }

  async deleteDocument(tenantId: string, documentId: string): Promise<number> {
    return this.deleteWhere(tenantId, 'SELECT VALUE c.id FROM c WHERE c.tenantId = @t AND c.documentId = @d', [{ name: '@d', value: documentId }]);
  }

  async deleteTenant(tenantId: string): Promise<number> {
    return this.deleteWhere(tenantId, 'SELECT VALUE c.id FROM c WHERE c.tenantId = @t', []);
  }

  private async deleteWhere(tenantId: string, query: string, extra: { name: string; value: string }[]): Promise<number> {
    let deleted = 0;
    for (const container of await this.existing()) {
      const { resources: ids } = await container.items
        .query<string>({ query, parameters: [{ name: '@t', value: tenantId }, ...extra] }, { partitionKey: tenantId })
        .fetchAll();
      for (let i = 0; i < ids.length; i += DELETE_CONCURRENCY) {
        const results = await Promise.all(ids.slice(i, i + DELETE_CONCURRENCY).map((id) => deleteItem(container, tenantId, id)));
        deleted += results.filter(Boolean).length;
      }
    }
    return deleted;
  }

  async count(tenantId: string): Promise<number> {
    let total = 0;
    for (const container of await this.existing()) {
      const { resources } = await container.items
        .query<number>({ query: 'SELECT VALUE COUNT(1) FROM c WHERE c.tenantId = @t', parameters: [{ name: '@t', value: tenantId }] }, { partitionKey: tenantId })
        .fetchAll();
      total += resources[0] ?? 0;
    }
    return total;
  }

  async close(): Promise<void> {
    this.client.dispose();
  }
}

async function deleteItem(container: Container, tenantId: string, id: string): Promise<boolean> {
  try {
    await container.item(id, tenantId).delete();
    return true;
  } catch (error) {
    if (statusOf(error) === 404) return false;
    throw error;
  }
}
