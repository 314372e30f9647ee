import { BadUserInputError, ConflictError, Framework, NotFoundError, PreconditionFailedError, type TenantContext } from '@switchyard/contracts';
import type { Collection, DocumentStore } from '@switchyard/store';
import { requireRole, requireTenant } from '@switchyard/service-kit';
import { recommendationRecords, type RecommendationOutcome, type RecommendationRecord } from '../recommender/recommendation-record.ts';
import type { ObservedOutcomes } from '../recommender/thompson-sampling.ts';

interface OutcomeStatsDoc {
  id: Framework;
  tenantId: string;
  recommended: number;
  withFeedback: number;
  accepted: number;
  overridden: number;
  ratingSum: number;
  ratingCount: number;
  successes: number;
  failures: number;
  runs?: number;
  runSuccesses?: number;
  runLatencySumMs?: number;
}
type Counter = Exclude<keyof OutcomeStatsDoc, 'id' | 'tenantId'>;
const ZERO: Omit<OutcomeStatsDoc, 'id' | 'tenantId'> = { recommended: 0, withFeedback: 0, accepted: 0, overridden: 0, ratingSum: 0, ratingCount: 0, successes: 0, failures: 0, runs: 0, runSuccesses: 0, runLatencySumMs: 0 };

/** How a workflow that followed a recommendation ended, reported by the workflows service. */
export interface RunOutcome {
  workflowId: string;
  framework: Framework;
  status: 'SUCCEEDED' | 'FAILED' | 'CANCELLED';
  latencyMs: number;
  costUsd: number;
}

export interface FrameworkOutcome {
  framework: Framework;
  recommended: number;
  withFeedback: number;
  accepted: number;
  overridden: number;
  acceptanceRate: number | null;
  meanRating: number | null;
  runs: number;
  runSuccessRate: number | null;
  meanRunLatencyMs: number | null;
}

export interface FeedbackInput {
  recommendationId: string;
  rating?: number | null;
  correctFramework?: string | null;
}

/** How one piece of feedback counts in the per-framework statistics. */
function contribution(record: Pick<RecommendationRecord, 'framework' | 'rating' | 'correctFramework'>): Partial<Record<Counter, number>> {
  const accepted = !record.correctFramework || record.correctFramework === record.framework;
  // A recommendation counts as a success for Thompson sampling when it was kept and not rated poorly.
  const success = accepted && (record.rating === null || record.rating >= 3);
  return {
    withFeedback: 1,
    accepted: accepted ? 1 : 0,
    overridden: accepted ? 0 : 1,
    ratingSum: record.rating ?? 0,
    ratingCount: record.rating === null ? 0 : 1,
    successes: success ? 1 : 0,
    failures: success ? 0 : 1,
  };
}

/**
 * Outcomes of recommendations: feedback per recommendation (only on the caller's tenant's own),
 * per-framework counters for the tenant's report and for Thompson sampling.
 */
export class OutcomeManager {
  private readonly records: Collection<RecommendationRecord>;
  private readonly stats: Collection<OutcomeStatsDoc>;
  constructor(store: DocumentStore) {
    this.records = recommendationRecords(store);
    this.stats = store.collection<OutcomeStatsDoc>('recommendation-outcomes');
  }

  async countRecommended(tenantId: string, framework: Framework): Promise<void> {
    await this.stats.increment(tenantId, framework, 'recommended', 1, ZERO);
  }

  async submitFeedback(context: TenantContext, input: FeedbackInput): Promise<boolean> {
    requireRole(context, 'DEVELOPER', 'submitRecommendationFeedback');
    const tenantId = requireTenant(context, 'submitRecommendationFeedback');
    const rating = input.rating ?? null;
    if (rating !== null && (!Number.isInteger(rating) || rating < 1 || rating > 5)) {
      throw new BadUserInputError('input.rating must be an integer from 1 (poor) to 5 (excellent).', { field: 'input.rating' });
    }
    let correctFramework: Framework | null = null;
    if (input.correctFramework != null) {
      const parsed = Framework.safeParse(input.correctFramework);
      if (!parsed.success) throw new BadUserInputError(`input.correctFramework must be one of ${Framework.options.join(', ')}.`, { field: 'input.correctFramework' });
      correctFramework = parsed.data;
    }
    if (rating === null && correctFramework === null) {
      throw new BadUserInputError('Send a rating, a correctFramework, or both.', { field: 'input' });
    }
    for (let attempt = 0; attempt < 5; attempt++) {
      const stored = await this.records.get(tenantId, input.recommendationId);
      if (!stored) throw new NotFoundError('Recommendation', input.recommendationId);
      const before = stored.doc;
      const outcome: RecommendationOutcome = correctFramework && correctFramework !== before.framework ? 'OVERRIDDEN' : 'ACCEPTED';
      const after: RecommendationRecord = { ...before, rating, correctFramework, outcome };
      try {
        await this.records.replace(after, { ifMatch: stored.etag });
      } catch (error) {
        if (error instanceof PreconditionFailedError) continue;
        throw error;
      }
      const delta: Partial<Record<Counter, number>> = { ...contribution(after) };
      if (before.outcome !== 'PENDING') {
        for (const [field, value] of Object.entries(contribution(before)) as [Counter, number][]) delta[field] = (delta[field] ?? 0) - value;
      }
      for (const [field, value] of Object.entries(delta) as [Counter, number][]) {
        if (value) await this.stats.increment(tenantId, before.framework, field, value, ZERO);
      }
      return true;
    }
    throw new ConflictError('The recommendation changed while recording feedback; send it again.');
  }

  async report(context: TenantContext): Promise<FrameworkOutcome[]> {
    requireRole(context, 'VIEWER', 'recommendationReport');
    const tenantId = requireTenant(context, 'recommendationReport');
    const docs = new Map((await this.stats.query(tenantId, { first: 10 })).items.map(({ doc }) => [doc.id, doc]));
    return Framework.options.map((framework) => {
      const d = docs.get(framework) ?? { ...ZERO };
      return {
        framework,
        recommended: d.recommended,
        withFeedback: d.withFeedback,
        accepted: d.accepted,
        overridden: d.overridden,
        acceptanceRate: d.withFeedback ? d.accepted / d.withFeedback : null,
        meanRating: d.ratingCount ? d.ratingSum / d.ratingCount : null,
        runs: d.runs ?? 0,
        runSuccessRate: d.runs ? (d.runSuccesses ?? 0) / d.runs : null,
        meanRunLatencyMs: d.runs ? (d.runLatencySumMs ?? 0) / d.runs : null,
      };
    });
  }

  async recent(context: TenantContext, first: number | null | undefined): Promise<RecommendationRecord[]> {
    requireRole(context, 'VIEWER', 'recentRecommendations');
    const tenantId = requireTenant(context, 'recentRecommendations');
    const n = first ?? 20;
    if (!Number.isInteger(n) || n < 1 || n > 100) throw new BadUserInputError('first must be between 1 and 100.', { field: 'first' });
    const page = await this.records.query(tenantId, { orderBy: [{ field: 'createdAt', direction: 'desc' }], first: n });
    return page.items.map(({ doc }) => doc);
  }

  /**
   * Record how the workflow that followed a recommendation ended (once per recommendation): whether
   * it ran on the recommended framework (accepted) or another (overridden), its status and latency.
   */
  async recordRun(tenantId: string, recommendationId: string, run: RunOutcome): Promise<boolean> {
    for (let attempt = 0; attempt < 10; attempt++) {
      const stored = await this.records.get(tenantId, recommendationId);
      if (!stored) return false;
      const record = stored.doc as RecommendationRecord & { run?: RunOutcome & { at: string } };
      if (record.run) return false;
      const outcome: RecommendationOutcome = record.outcome !== 'PENDING' ? record.outcome : run.framework === record.framework ? 'ACCEPTED' : 'OVERRIDDEN';
      try {
        await this.records.replace({ ...record, outcome, run: { ...run, at: new Date().toISOString() } } as RecommendationRecord, { ifMatch: stored.etag });
      } catch (error) {
        if (error instanceof PreconditionFailedError) continue;
        throw error;
      }
      await this.stats.increment(tenantId, run.framework, 'runs', 1, ZERO);
      if (run.status === 'SUCCEEDED') await this.stats.increment(tenantId, run.framework, 'runSuccesses', 1, ZERO);
      await this.stats.increment(tenantId, run.framework, 'runLatencySumMs', Math.max(0, Math.round(run.latencyMs)), ZERO);
      return true;
    }
    throw new ConflictError('The recommendation changed while recording its run; send it again.');
  }

  /** Successes and failures per framework, for Thompson sampling. */
  async observed(tenantId: string): Promise<Partial<Record<Framework, ObservedOutcomes>>> {
    const page = await this.stats.query(tenantId, { first: 10 });
    return Object.fromEntries(page.items.map(({ doc }) => [doc.id, { successes: doc.successes, failures: doc.failures }]));
  }
}
