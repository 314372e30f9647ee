import { softmax } from './softmax-regression.ts';

function meanNll(allLogits: ArrayLike<number>[], labels: number[], temperature: number): number {
  let total = 0;
  allLogits.forEach((z, i) => {
    total -= Math.log(Math.max(softmax(z, temperature)[labels[i]!]!, 1e-12));
  });
  return total / allLogits.length;
}

/**
 * Temperature scaling: the one scalar T that makes softmax(z / T) best match held-out labels (lowest
 * negative log-likelihood). Fitted on out-of-fold logits from cross-validation on the train split.
 */
export function fitTemperature(allLogits: ArrayLike<number>[], labels: number[]): number {
  let lo = Math.log(0.05);
  let hi = Math.log(20);
  const phi = (Math.sqrt(5) - 1) / 2;
  for (let i = 0; i < 80; i++) {
    const a = hi - phi * (hi - lo);
    const b = lo + phi * (hi - lo);
    if (meanNll(allLogits, labels, Math.exp(a)) < meanNll(allLogits, labels, Math.exp(b))) hi = b;
    else lo = a;
  }
  return Math.exp((lo + hi) / 2);
}

/** Expected calibration error of the top label's probability, over equal-width confidence bins. */
export function expectedCalibrationError(probabilities: number[][], labels: number[], bins = 10): number {
  const count = new Array<number>(bins).fill(0);
  const confidence = new Array<number>(bins).fill(0);
  const correct = new Array<number>(bins).fill(0);
  probabilities.forEach((p, i) => {
    const top = p.indexOf(Math.max(...p));
    const bin = Math.min(bins - 1, Math.floor(p[top]! * bins));
    count[bin]!++;
    confidence[bin]! += p[top]!;
    if (top === labels[i]) correct[bin]!++;
  });
  let ece = 0;
  for (let b = 0; b < bins; b++) {
    if (count[b]) ece += (count[b]! / probabilities.length) * Math.abs(correct[b]! / count[b]! - confidence[b]! / count[b]!);
  }
  return ece;
}

export { meanNll };
