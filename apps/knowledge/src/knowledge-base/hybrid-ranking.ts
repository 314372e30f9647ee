/** The usual constant of reciprocal rank fusion (Cormack et al.): damps the weight of the very top ranks. */
export const RRF_K = 60;

/**
 * Reciprocal rank fusion: each list gives an item 1 / (RRF_K + rank); items are ordered by the sum.
 * Scores are divided by the best possible (first in every list), so 1.0 means "top of every ranking".
 * Ties keep the order of first appearance across the lists.
 */
export function reciprocalRankFusion(rankings: readonly (readonly string[])[]): { id: string; score: number }[] {
  const scores = new Map<string, number>();
  for (const ranking of rankings) {
    ranking.forEach((id, index) => scores.set(id, (scores.get(id) ?? 0) + 1 / (RRF_K + index + 1)));
  }
  const best = rankings.length / (RRF_K + 1);
  return [...scores].map(([id, score]) => ({ id, score: score / best })).sort((a, b) => b.score - a.score);
}
