import { describe, expect, it } from 'vitest';
import { embedText } from './embeddings.ts';

const cosine = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * b[i]!, 0);

describe('embedText', () => {
  it('is deterministic, unit length and sized as asked', () => {
    const v = embedText('Refund policy for damaged parcels');
    expect(v).toEqual(embedText('Refund policy for damaged parcels'));
    expect(Math.hypot(...v)).toBeCloseTo(1, 10);
    expect(embedText('x', 32)).toHaveLength(32);
    expect(Math.hypot(...embedText('the of and'))).toBeCloseTo(1, 10);
  });

  it('ranks a text sharing words (and word forms) above an unrelated one', () => {
    const query = embedText('How do I reset my password?');
    const relevant = embedText('To reset a forgotten password, open Settings and choose "Reset passwords".');
    const unrelated = embedText('Quarterly revenue grew by ten percent in the northern region.');
    expect(cosine(query, relevant)).toBeGreaterThan(cosine(query, unrelated) + 0.2);
  });
});
