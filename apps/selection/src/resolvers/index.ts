import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import type { RequestContext } from '@switchyard/service-kit';
import type { RecommendationManager } from '../recommender/recommendation-manager.ts';

export function buildResolvers(recommender: RecommendationManager): GraphQLResolverMap<RequestContext> {
  return {
    Query: {
      recommendFramework: (_root, { input }: { input: { description: string; hints?: unknown } }, { tenant }) =>
        recommender.recommend(tenant, input),
    },
  };
}
