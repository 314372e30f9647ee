import { runSubgraphService } from '@switchyard/service-kit';
import { envSchema } from './env.ts';
import { KnowledgeManager } from './knowledge-base/knowledge-manager.ts';
import { buildResolvers } from './resolvers/index.ts';

runSubgraphService({
  name: 'knowledge',
  envSchema,
  schemaUrl: new URL('./schema.graphql', import.meta.url),
  async build({ store }) {
    return { resolvers: buildResolvers(new KnowledgeManager(store)) };
  },
});
