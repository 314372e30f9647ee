import { BadUserInputError } from '@switchyard/contracts';

export type TimeBucket = 'MINUTE' | 'HOUR' | 'DAY';

const BUCKET_MS: Record<TimeBucket, number> = { MINUTE: 60_000, HOUR: 3_600_000, DAY: 86_400_000 };
/** The window a series covers when the caller gives no `from`: an hour of minutes, a day of hours, 30 days. */
const DEFAULT_SPAN_MS: Record<TimeBucket, number> = { MINUTE: 3_600_000, HOUR: 86_400_000, DAY: 30 * 86_400_000 };
/** At most this many buckets in one series (a day of minutes). */
export const MAX_BUCKETS = 1440;

export interface SeriesWindow {
  from: Date;
  to: Date;
  bucket: TimeBucket;
}

/**
 * The window of a time series from its GraphQL arguments: `to` defaults to now, `from` to a span
 * that suits the bucket; refused with BAD_USER_INPUT when `from` is not before `to`, a time does not
 * parse, or the window holds more than MAX_BUCKETS buckets.
 */
export function seriesWindow(args: { from?: string | null; to?: string | null; bucket?: TimeBucket | null }, now = new Date()): SeriesWindow {
  const bucket = args.bucket ?? 'HOUR';
  const to = args.to ? new Date(args.to) : now;
  const from = args.from ? new Date(args.from) : new Date(to.getTime() - DEFAULT_SPAN_MS[bucket]);
  if (Number.isNaN(to.getTime()) || Number.isNaN(from.getTime())) throw new BadUserInputError('from and to must be ISO 8601 date-times, e.g. 2026-12-01T00:00:00Z.', { field: Number.isNaN(to.getTime()) ? 'to' : 'from' });
  if (from >= to) throw new BadUserInputError('from must be before to.', { field: 'from' });
  const buckets = Math.ceil((to.getTime() - bucketStart(from, bucket).getTime()) / BUCKET_MS[bucket]);
  if (buckets > MAX_BUCKETS) {
    throw new BadUserInputError(`That window holds ${buckets} ${bucket.toLowerCase()} buckets; ask for at most ${MAX_BUCKETS} (a larger bucket, or a shorter window).`, { field: 'bucket' });
  }
  return { from, to, bucket };
}

/** The start of the UTC bucket a time falls in. */
export function bucketStart(at: Date | string, bucket: TimeBucket): Date {
  const ms = typeof at === 'string' ? Date.parse(at) : at.getTime();
  return new Date(Math.floor(ms / BUCKET_MS[bucket]) * BUCKET_MS[bucket]);
}

/** The nearest-rank percentile (0 < p <= 100) of values, or null for none. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
