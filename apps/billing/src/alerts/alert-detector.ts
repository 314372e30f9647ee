/** What an alert rule watches (see decision 022). */
export type AlertMetric = 'COST_USD' | 'ERROR_RATE' | 'MODEL_LATENCY_P95_MS';
export type AlertCondition = 'THRESHOLD' | 'ANOMALY';
export type AlertState = 'OK' | 'FIRING';

/** The part of a rule the detector reads. */
export interface DetectorRule {
  metric: AlertMetric;
  condition: AlertCondition;
  /** THRESHOLD: fires when the value is above it. */
  threshold: number | null;
  /** ANOMALY: fires when the value is this many deviations above the baseline. */
  zScore: number;
  /** ANOMALY: evaluations that feed the baseline before it may fire. */
  minBaseline: number;
  /** Calm evaluations in a row before a firing rule resolves. */
  resolveAfter: number;
}

/** A rule's evaluation state, kept between evaluations. */
export interface DetectorState {
  state: AlertState;
  /** EWMA of the rule's past values (ANOMALY). */
  mean: number;
  variance: number;
  /** Values fed to the baseline so far. */
  baselineSamples: number;
  /** Calm evaluations since the rule last breached, while FIRING. */
  calmStreak: number;
}

export interface Evaluation {
  next: DetectorState;
  /** FIRING: the rule starts firing now; RESOLVED: it stops; null: no change. */
  transition: 'FIRING' | 'RESOLVED' | null;
  breaching: boolean;
  /** ANOMALY: how many deviations above the baseline the value is (null before it has a baseline). */
  z: number | null;
  /** ANOMALY: the baseline the value was compared with. */
  baseline: number | null;
}

/** Weight of the newest value in the baseline: about the last 20 evaluations count. */
export const EWMA_ALPHA = 0.1;

/**
 * The smallest deviation a baseline is taken to have, per metric: a flat history (no errors, the same
 * cost every minute) would otherwise make any change infinitely surprising.
 */
function deviationFloor(metric: AlertMetric, mean: number): number {
  const absolute = metric === 'ERROR_RATE' ? 0.02 : metric === 'MODEL_LATENCY_P95_MS' ? 5 : 1e-6;
  return Math.max(absolute, 0.1 * Math.abs(mean));
}

export const initialState = (): DetectorState => ({ state: 'OK', mean: 0, variance: 0, baselineSamples: 0, calmStreak: 0 });

/**
 * One evaluation of a rule over the value its window had (null: too few runs or calls to say). A rule
 * fires on the first breaching evaluation and resolves after `resolveAfter` calm ones in a row; while
 * it fires, the baseline is not fed, so a long spike does not become the normal it is compared with.
 */
export function evaluate(rule: DetectorRule, previous: DetectorState, value: number | null): Evaluation {
  let z: number | null = null;
  let baseline: number | null = null;
  let breaching = false;
  if (value !== null) {
    if (rule.condition === 'THRESHOLD') {
      breaching = rule.threshold !== null && value > rule.threshold;
    } else if (previous.baselineSamples >= rule.minBaseline) {
      baseline = previous.mean;
      z = (value - previous.mean) / Math.max(Math.sqrt(previous.variance), deviationFloor(rule.metric, previous.mean));
      breaching = z > rule.zScore;
    }
  }

  const next: DetectorState = { ...previous };
  // The baseline learns from what is normal: values seen while the rule is OK and not breaching.
  if (value !== null && rule.condition === 'ANOMALY' && !breaching && previous.state === 'OK') {
    if (next.baselineSamples === 0) {
      next.mean = value;
      next.variance = 0;
    } else {
      const diff = value - next.mean;
      next.mean += EWMA_ALPHA * diff;
      next.variance = (1 - EWMA_ALPHA) * (next.variance + EWMA_ALPHA * diff * diff);
    }
    next.baselineSamples += 1;
  }

  let transition: Evaluation['transition'] = null;
  if (previous.state === 'OK') {
    if (breaching) {
      next.state = 'FIRING';
      next.calmStreak = 0;
      transition = 'FIRING';
    }
  } else if (breaching) {
    next.calmStreak = 0;
  } else {
    next.calmStreak += 1;
    if (next.calmStreak >= rule.resolveAfter) {
      next.state = 'OK';
      next.calmStreak = 0;
      transition = 'RESOLVED';
    }
  }
  return { next, transition, breaching, z, baseline };
}
