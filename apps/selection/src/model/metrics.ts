/** Classification metrics for the training report and `selector:eval`. */
export interface ClassMetrics {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface ClassificationMetrics {
  accuracy: number;
  macroF1: number;
  perClass: Record<string, ClassMetrics>;
  /** confusion[trueLabel][predictedLabel] = count */
  confusion: Record<string, Record<string, number>>;
  total: number;
}

export function classificationMetrics(labels: readonly string[], truth: string[], predicted: string[]): ClassificationMetrics {
  const confusion: Record<string, Record<string, number>> = {};
  for (const t of labels) confusion[t] = Object.fromEntries(labels.map((p) => [p, 0]));
  truth.forEach((t, i) => {
    confusion[t]![predicted[i]!]!++;
  });
  const perClass: Record<string, ClassMetrics> = {};
  for (const l of labels) {
    const tp = confusion[l]![l]!;
    const predictedAs = labels.reduce((s, t) => s + confusion[t]![l]!, 0);
    const support = labels.reduce((s, p) => s + confusion[l]![p]!, 0);
    const precision = predictedAs ? tp / predictedAs : 0;
    const recall = support ? tp / support : 0;
    perClass[l] = { precision, recall, f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0, support };
  }
  const correct = truth.filter((t, i) => t === predicted[i]).length;
  return {
    accuracy: truth.length ? correct / truth.length : 0,
    macroF1: labels.reduce((s, l) => s + perClass[l]!.f1, 0) / labels.length,
    perClass,
    confusion,
    total: truth.length,
  };
}

export function formatConfusion(labels: readonly string[], confusion: ClassificationMetrics['confusion']): string {
  const width = Math.max(...labels.map((l) => l.length)) + 2;
  const head = 'true \\ predicted'.padEnd(width + 6) + labels.map((l) => l.padStart(width)).join('');
  const rows = labels.map((t) => t.padEnd(width + 6) + labels.map((p) => String(confusion[t]![p]!).padStart(width)).join(''));
  return [head, ...rows].join('\n');
}
