import { describe, expect, it } from 'vitest';
import { parseRetryAfterMs } from './llm-error.ts';
import { backoffDelayMs, type RetryPolicy } from './retry-policy.ts';

const policy: RetryPolicy = { maxRetries: 5, baseDelayMs: 500, maxDelayMs: 8_000, maxRetryAfterMs: 60_000 };

describe('backoffDelayMs', () => {
  it('doubles per retry up to the cap, jittered within the upper half', () => {
    expect([0, 1, 2, 3, 4, 5].map((r) => backoffDelayMs(r, policy, undefined, () => 0))).toEqual([250, 500, 1000, 2000, 4000, 4000]);
    expect([0, 1, 2, 3, 4, 5].map((r) => backoffDelayMs(r, policy, undefined, () => 1))).toEqual([500, 1000, 2000, 4000, 8000, 8000]);
  });

  it('uses the server-requested wait as is', () => {
    expect(backoffDelayMs(0, policy, 1_500, () => 0)).toBe(1_500);
  });
});

describe('parseRetryAfterMs', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');
  it('reads retry-after-ms first, then Retry-After seconds or HTTP date', () => {
    expect(parseRetryAfterMs(new Headers({ 'retry-after-ms': '250', 'retry-after': '9' }), now)).toBe(250);
    expect(parseRetryAfterMs(new Headers({ 'retry-after': '2' }), now)).toBe(2_000);
    expect(parseRetryAfterMs(new Headers({ 'retry-after': 'Wed, 01 Jan 2025 00:00:03 GMT' }), now)).toBe(3_000);
    expect(parseRetryAfterMs(new Headers({ 'retry-after': 'Tue, 31 Dec 2024 00:00:00 GMT' }), now)).toBe(0);
  });

  it('ignores missing or unreadable values', () => {
    expect(parseRetryAfterMs(new Headers(), now)).toBeUndefined();
    expect(parseRetryAfterMs(new Headers({ 'retry-after': 'soon' }), now)).toBeUndefined();
    expect(parseRetryAfterMs(undefined, now)).toBeUndefined();
  });
});
