import { describe, expect, it } from 'vitest';
import { expectedCalibrationError, fitTemperature } from './calibration.ts';
import { classificationMetrics } from './metrics.ts';
import { fitSoftmaxRegression, logits, softmax, type SparseVector } from './softmax-regression.ts';

const v = (pairs: [number, number][]): SparseVector => ({ indices: Int32Array.from(pairs.map((p) => p[0])), values: Float64Array.from(pairs.map((p) => p[1])) });

describe('softmax regression', () => {
  it('learns which sparse features point to which of three classes', () => {
    const xs = [v([[0, 1]]), v([[0, 1], [3, 0.5]]), v([[1, 1]]), v([[1, 1], [3, 0.5]]), v([[2, 1]]), v([[2, 1], [3, 0.5]])];
    const ys = [0, 0, 1, 1, 2, 2];
    const model = fitSoftmaxRegression(xs, ys, { classes: 3, features: 4, l2: 1e-3 });
    xs.forEach((x, i) => {
      const p = softmax(logits(model, x));
      expect(p.indexOf(Math.max(...p))).toBe(ys[i]);
    });
    expect(softmax(logits(model, v([[3, 1]]))).every((p) => p < 0.6)).toBe(true);
  });

  it('shrinks weights more with a stronger L2 penalty', () => {
    const xs = [v([[0, 1]]), v([[1, 1]])];
    const norm = (l2: number) => Math.hypot(...fitSoftmaxRegression(xs, [0, 1], { classes: 2, features: 2, l2 }).weights);
    expect(norm(1)).toBeLessThan(norm(0.01));
  });
});

describe('calibration', () => {
  it('finds the temperature that undoes overconfident logits', () => {
    // Labels drawn so that softmax(z) is calibrated; the model reports 3·z.
    const zs: number[][] = [];
    const labels: number[] = [];
    for (let i = 0; i < 400; i++) {
      const z = [Math.sin(i) * 2, Math.cos(i * 1.3) * 2];
      const p = softmax(z);
      zs.push(z.map((x) => x * 3));
      labels.push(((i * 0.618034) % 1) < p[0]! ? 0 : 1);
    }
    expect(fitTemperature(zs, labels)).toBeGreaterThan(2);
    expect(fitTemperature(zs, labels)).toBeLessThan(4.5);
  });

  it('reports zero calibration error for perfectly calibrated confidences and more when overconfident', () => {
    expect(expectedCalibrationError([[1, 0], [0, 1]], [0, 1])).toBe(0);
    expect(expectedCalibrationError([[0.95, 0.05], [0.95, 0.05]], [0, 1])).toBeCloseTo(0.45, 6);
  });
});

describe('metrics', () => {
  it('computes accuracy, per-class precision/recall and the confusion matrix', () => {
    const m = classificationMetrics(['A', 'B'], ['A', 'A', 'B', 'B'], ['A', 'B', 'B', 'B']);
    expect(m.accuracy).toBe(0.75);
    expect(m.perClass.A).toMatchObject({ precision: 1, recall: 0.5, support: 2 });
    expect(m.perClass.B!.precision).toBeCloseTo(2 / 3, 9);
    expect(m.confusion).toEqual({ A: { A: 1, B: 1 }, B: { A: 0, B: 2 } });
  });
});
