import type { Framework } from '@switchyard/contracts';
import type { Collection, DocumentStore } from '@switchyard/store';

export type RecommendationSource = 'MODEL' | 'PREFERENCE' | 'EXPLORATION';
export type RecommendationOutcome = 'PENDING' | 'ACCEPTED' | 'OVERRIDDEN';

/** What recommendFramework answers. */
export interface Recommendation {
  framework: Framework;
  confidence: number;
  alternatives: { framework: Framework; probability: number }[];
  rationale: string;
  modelVersion: string;
}

/** Every recommendation given, kept per tenant with its outcome. */
export interface RecommendationRecord extends Recommendation {
  id: string;
  tenantId: string;
  description: string;
  hints: Record<string, unknown> | null;
  createdAt: string;
  source: RecommendationSource;
  /** The model's own top choice, whatever a pin or exploration made of it. */
  modelFramework: Framework;
  outcome: RecommendationOutcome;
  rating: number | null;
  correctFramework: Framework | null;
}

export function recommendationRecords(store: DocumentStore): Collection<RecommendationRecord> {
  return store.collection<RecommendationRecord>('recommendations', { indexes: ['createdAt'] });
}
