import { createLlmClient, llmConfigFromEnv } from '@switchyard/llm';
import { runSubgraphService } from '@switchyard/service-kit';
import { budgetedLlm } from '@switchyard/engine-kit';
import { createVectorIndexFromEnv, withTombstoneGuard } from '@switchyard/store';
import { envSchema } from './env.ts';
import { mountInternalRoutes } from './internal-routes.ts';
import { ChunkEmbedder } from './knowledge-base/chunk-embedder.ts';
import { billingEmbeddingMeter } from './knowledge-base/embedding-meter.ts';
import { KnowledgeManager } from './knowledge-base/knowledge-manager.ts';
import { buildResolvers } from './resolvers/index.ts';

runSubgraphService({
  name: 'knowledge',
  envSchema,
  schemaUrl: new URL('./schema.graphql', import.meta.url),
  async build({ env, logger, store, tokens }) {
    // Beside the store (the same SQLite file, or containers under the same Cosmos prefix) unless VECTOR_INDEX_DRIVER says otherwise.
    // Its writes for an erased tenant are refused as the store's are (decision 023).
    const vectors = withTombstoneGuard(
      createVectorIndexFromEnv({ ...env, STORE_DRIVER: env.VECTOR_INDEX_DRIVER ?? env.STORE_DRIVER, dataDir: env.SWITCHYARD_DATA_DIR, service: 'knowledge' }, 'chunk-vectors'),
      store,
    );
    const meter = env.SWITCHYARD_BILLING_URL ? billingEmbeddingMeter(env.SWITCHYARD_BILLING_URL, tokens, logger) : undefined;
    const llm = createLlmClient(llmConfigFromEnv(process.env));
    // Embedding calls are model calls: with billing, each reserves against the tenant's hard budget first.
    const embedder = new ChunkEmbedder(env.SWITCHYARD_BILLING_URL ? budgetedLlm(llm, env.SWITCHYARD_BILLING_URL, tokens) : llm, meter);
    const knowledge = new KnowledgeManager(store, vectors, embedder, logger);
    return {
      resolvers: buildResolvers(knowledge),
      routes: (app) => mountInternalRoutes(app, knowledge, tokens, logger),
      eraseTenant: (tenantId) => vectors.deleteTenant(tenantId),
      closers: [() => vectors.close()],
    };
  },
});
