import type { Framework, TenantContext } from '@switchyard/contracts';
import type { Collection, DocumentStore } from '@switchyard/store';
import { bucketStart, requireRole, seriesWindow, type TimeBucket } from '@switchyard/service-kit';
import { recommendationRecords, type RecommendationRecord, type RecommendationSource } from '../recommender/recommendation-record.ts';

const SOURCES: readonly RecommendationSource[] = ['MODEL', 'PREFERENCE', 'EXPLORATION'];

interface Counts {
  recommended: number;
  accepted: number;
  overridden: number;
  ratingSum: number;
  ratingCount: number;
}

export interface SourceCounts {
  source: RecommendationSource;
  recommended: number;
  accepted: number;
  overridden: number;
  acceptanceRate: number | null;
}

export interface SelectionPoint {
  start: string;
  framework: Framework;
  recommended: number;
  accepted: number;
  overridden: number;
  pending: number;
  acceptanceRate: number | null;
  meanRating: number | null;
  bySource: SourceCounts[];
}

const zero = (): Counts => ({ recommended: 0, accepted: 0, overridden: 0, ratingSum: 0, ratingCount: 0 });

function count(counts: Counts, record: RecommendationRecord): void {
  counts.recommended += 1;
  if (record.outcome === 'ACCEPTED') counts.accepted += 1;
  if (record.outcome === 'OVERRIDDEN') counts.overridden += 1;
  if (record.rating !== null && record.rating !== undefined) {
    counts.ratingSum += record.rating;
    counts.ratingCount += 1;
  }
}

const rate = (c: Counts): number | null => (c.accepted + c.overridden > 0 ? c.accepted / (c.accepted + c.overridden) : null);

/**
 * Recommendation outcomes as a time series (Tenant.selectionSeries): the tenant's recommendation
 * records in the window, counted per bucket of when they were given and recommended framework.
 */
export class SelectionSeries {
  private readonly records: Collection<RecommendationRecord>;
  constructor(store: DocumentStore) {
    this.records = recommendationRecords(store);
  }

  async series(context: TenantContext, tenantId: string, args: { from?: string | null; to?: string | null; bucket?: TimeBucket | null }): Promise<SelectionPoint[]> {
    requireRole(context, 'VIEWER', 'Reading selection statistics');
    const window = seriesWindow(args);
    if (context.role !== 'PLATFORM_ADMIN' && context.tenantId !== tenantId) return [];
    const to = window.to.toISOString();
    const points = new Map<string, { start: string; framework: Framework; all: Counts; bySource: Record<RecommendationSource, Counts> }>();
    let after: string | undefined;
    do {
      const page = await this.records.query(tenantId, { where: { createdAt: { gte: window.from.toISOString() } }, first: 1000, after });
      for (const { doc } of page.items) {
        if (doc.createdAt >= to) continue;
        const start = bucketStart(doc.createdAt, window.bucket).toISOString();
        const key = `${start} ${doc.framework}`;
        let point = points.get(key);
        if (!point) points.set(key, (point = { start, framework: doc.framework, all: zero(), bySource: { MODEL: zero(), PREFERENCE: zero(), EXPLORATION: zero() } }));
        count(point.all, doc);
        count(point.bySource[doc.source] ?? point.bySource.MODEL, doc);
      }
      after = page.hasNextPage && page.endCursor ? page.endCursor : undefined;
    } while (after);
    return [...points.values()]
      .sort((a, b) => a.start.localeCompare(b.start) || a.framework.localeCompare(b.framework))
      .map(({ start, framework, all, bySource }) => ({
        start,
        framework,
        recommended: all.recommended,
        accepted: all.accepted,
        overridden: all.overridden,
        pending: all.recommended - all.accepted - all.overridden,
        acceptanceRate: rate(all),
        meanRating: all.ratingCount > 0 ? all.ratingSum / all.ratingCount : null,
        bySource: SOURCES.filter((source) => bySource[source].recommended > 0).map((source) => ({
          source,
          recommended: bySource[source].recommended,
          accepted: bySource[source].accepted,
          overridden: bySource[source].overridden,
          acceptanceRate: rate(bySource[source]),
        })),
      }));
  }
}
