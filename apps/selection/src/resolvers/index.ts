import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { DateTimeScalar, type RequestContext, type TimeBucket } from '@switchyard/service-kit';
import type { FeedbackInput, OutcomeManager } from '../outcomes/outcome-manager.ts';
import type { PreferenceManager } from '../preferences/preference-manager.ts';
import type { SelectionSeries } from '../outcomes/selection-series.ts';
import type { RecommendationManager } from '../recommender/recommendation-manager.ts';

export interface SelectionManagers {
  recommendations: RecommendationManager;
  preferences: PreferenceManager;
  outcomes: OutcomeManager;
  series: SelectionSeries;
}

export function buildResolvers({ recommendations, preferences, outcomes, series }: SelectionManagers): GraphQLResolverMap<RequestContext> {
  return {
    DateTime: DateTimeScalar,
    Query: {
      recommendFramework: (_root, { input }: { input: { description: string; hints?: unknown } }, { tenant }) => recommendations.recommend(tenant, input),
      frameworkPreferences: (_root, _args, { tenant }) => preferences.list(tenant),
      recentRecommendations: (_root, { first }: { first?: number | null }, { tenant }) => outcomes.recent(tenant, first),
      recommendationReport: (_root, _args, { tenant }) => outcomes.report(tenant),
    },
    Mutation: {
      setFrameworkPreference: (_root, { input }: { input: { workflowType: string; framework: string } }, { tenant }) => preferences.setPreference(tenant, input),
      submitRecommendationFeedback: (_root, { input }: { input: FeedbackInput }, { tenant }) => outcomes.submitFeedback(tenant, input),
      setExplorationRate: (_root, { rate }: { rate: number }, { tenant }) => preferences.setExplorationRate(tenant, rate),
    },
    Tenant: {
      selectionSeries: (tenantRef: { id: string }, args: { from?: string | null; to?: string | null; bucket?: TimeBucket | null }, { tenant }) => series.series(tenant, tenantRef.id, args),
    },
  };
}
