import { describe, expect, it } from 'vitest';
import { bucketStart, percentile, seriesWindow } from './time-series.ts';

describe('time series windows', () => {
  const now = new Date('2026-12-06T10:17:30Z');
  it('defaults to a day of hours, an hour of minutes, or 30 days, ending now', () => {
    expect(seriesWindow({}, now)).toEqual({ from: new Date('2026-12-05T10:17:30Z'), to: now, bucket: 'HOUR' });
    expect(seriesWindow({ bucket: 'MINUTE' }, now).from).toEqual(new Date('2026-12-06T09:17:30Z'));
    expect(seriesWindow({ bucket: 'DAY' }, now).from).toEqual(new Date('2026-11-06T10:17:30Z'));
  });
  it('refuses a reversed window, a bad time and too many buckets with BAD_USER_INPUT naming the argument', () => {
    expect(() => seriesWindow({ from: '2026-12-06T11:00:00Z' }, now)).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'from' }) }));
    expect(() => seriesWindow({ to: 'yesterday' }, now)).toThrow(/ISO 8601/);
    expect(() => seriesWindow({ from: '2026-11-01T00:00:00Z', bucket: 'MINUTE' }, now)).toThrow(/at most 1440/);
  });
  it('puts times in UTC buckets and takes nearest-rank percentiles', () => {
    expect(bucketStart('2026-12-06T10:17:30Z', 'HOUR').toISOString()).toBe('2026-12-06T10:00:00.000Z');
    expect(bucketStart('2026-12-06T10:17:30Z', 'DAY').toISOString()).toBe('2026-12-06T00:00:00.000Z');
    expect(percentile([5, 1, 4, 2, 3], 50)).toBe(3);
    expect(percentile([5, 1, 4, 2, 3], 95)).toBe(5);
    expect(percentile([], 95)).toBeNull();
  });
});
