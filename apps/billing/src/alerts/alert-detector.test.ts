import { describe, expect, it } from 'vitest';
import { evaluate, initialState, type DetectorRule, type DetectorState } from './alert-detector.ts';

const anomaly: DetectorRule = { metric: 'MODEL_LATENCY_P95_MS', condition: 'ANOMALY', threshold: null, zScore: 3, minBaseline: 10, resolveAfter: 2 };
const threshold: DetectorRule = { metric: 'ERROR_RATE', condition: 'THRESHOLD', threshold: 0.5, zScore: 3, minBaseline: 0, resolveAfter: 2 };

/** Feed values in order; returns the transitions seen (with their index) and the final state. */
function run(rule: DetectorRule, values: Array<number | null>, state: DetectorState = initialState()) {
  const transitions: string[] = [];
  values.forEach((value, index) => {
    const evaluation = evaluate(rule, state, value);
    if (evaluation.transition) transitions.push(`${index}:${evaluation.transition}`);
    state = evaluation.next;
  });
  return { transitions, state };
}

// A noisy but steady latency around 200 ms (deterministic pseudo-noise).
const steady = (n: number) => Array.from({ length: n }, (_, i) => 200 + ((i * 37) % 11) - 5);

describe('alert detector', () => {
  it('learns a baseline, fires once on a spike, and resolves after two calm evaluations', () => {
    const values = [...steady(30), 900, 950, 880, ...steady(5)];
    expect(run(anomaly, values).transitions).toEqual(['30:FIRING', '34:RESOLVED']);
  });

  it('does not fire during warm-up, nor on ordinary noise', () => {
    expect(run(anomaly, [200, 900, ...steady(8)]).transitions).toEqual([]);
    expect(run(anomaly, steady(500)).transitions).toEqual([]);
  });

  it('keeps the baseline while firing, so a long spike does not become normal', () => {
    const { transitions, state } = run(anomaly, [...steady(20), ...Array(50).fill(900)]);
    expect(transitions).toEqual(['20:FIRING']);
    expect(state.state).toBe('FIRING');
    expect(state.mean).toBeGreaterThan(190);
    expect(state.mean).toBeLessThan(210);
  });

  it('gives a flat baseline a deviation floor instead of treating any change as infinite', () => {
    const errors: DetectorRule = { ...anomaly, metric: 'ERROR_RATE' };
    // No errors for 20 evaluations: 1 failure in 100 (0.01) is within the floor, half failing is not.
    expect(run(errors, [...Array(20).fill(0), 0.01, 0.01]).transitions).toEqual([]);
    expect(run(errors, [...Array(20).fill(0), 0.5]).transitions).toEqual(['20:FIRING']);
  });

  it('does not flap on a value that hovers at the threshold', () => {
    expect(run(threshold, [0.1, 0.6, 0.4, 0.6, 0.4, 0.6, 0.1, 0.1, 0.6]).transitions).toEqual(['1:FIRING', '7:RESOLVED', '8:FIRING']);
  });

  it('treats a window with too few samples (null) as calm: a tenant that stops running resolves', () => {
    expect(run(threshold, [0.9, null, null]).transitions).toEqual(['0:FIRING', '2:RESOLVED']);
  });
});
