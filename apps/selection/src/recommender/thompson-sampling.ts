import type { Framework } from '@switchyard/contracts';

/** Successes and failures observed for one framework's recommendations in one tenant. */
export interface ObservedOutcomes {
  successes: number;
  failures: number;
}

/** How many observations the model's probability counts as, in the Beta prior. */
export const PRIOR_STRENGTH = 10;

function standardNormal(random: () => number): number {
  const u = Math.max(random(), Number.MIN_VALUE);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

// Marsaglia–Tsang; shape < 1 is boosted by U^(1/shape).
function sampleGamma(shape: number, random: () => number): number {
  if (shape < 1) return sampleGamma(shape + 1, random) * Math.pow(Math.max(random(), Number.MIN_VALUE), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = standardNormal(random);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = random();
    if (u < 1 - 0.0331 * x ** 4 || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

export function sampleBeta(alpha: number, beta: number, random: () => number): number {
  const x = sampleGamma(alpha, random);
  return x / (x + sampleGamma(beta, random));
}

/**
 * Thompson sampling over frameworks: each framework's chance of being the right call is a Beta whose
 * prior is the model's calibrated probability (worth PRIOR_STRENGTH observations) updated by the
 * tenant's observed outcomes; the framework with the highest draw wins.
 */
export function thompsonChoice(
  probabilities: { framework: Framework; probability: number }[],
  observed: Partial<Record<Framework, ObservedOutcomes>>,
  random: () => number,
): Framework {
  let best = probabilities[0]!.framework;
  let bestDraw = -1;
  for (const { framework, probability } of probabilities) {
    const o = observed[framework] ?? { successes: 0, failures: 0 };
    const draw = sampleBeta(1 + PRIOR_STRENGTH * probability + o.successes, 1 + PRIOR_STRENGTH * (1 - probability) + o.failures, random);
    if (draw > bestDraw) [best, bestDraw] = [framework, draw];
  }
  return best;
}
