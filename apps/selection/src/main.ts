import { runSubgraphService } from '@switchyard/service-kit';
import { envSchema } from './env.ts';
import { RecommendationManager } from './recommender/recommendation-manager.ts';
import { buildResolvers } from './resolvers/index.ts';

runSubgraphService({
  name: 'selection',
  envSchema,
  schemaUrl: new URL('./schema.graphql', import.meta.url),
  async build({ store }) {
    return { resolvers: buildResolvers(new RecommendationManager(store)) };
  },
});
