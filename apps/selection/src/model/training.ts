import { Framework } from '@switchyard/contracts';
import { expectedCalibrationError, fitTemperature, meanNll } from './calibration.ts';
import { Vectorizer, extractRawFeatures, fitFeatureSpace, type FeatureConfig, type RawFeatures } from './feature-space.ts';
import { ARTIFACT_FORMAT, FrameworkModel, type ModelArtifact } from './framework-model.ts';
import { seededRandom, shuffled, type LabeledExample } from './labeled-example.ts';
import { classificationMetrics, type ClassificationMetrics } from './metrics.ts';
import { fitSoftmaxRegression, logits, softmax } from './softmax-regression.ts';

export const LABELS: Framework[] = [...Framework.options];

export interface Candidate {
  l2: number;
  features: FeatureConfig;
}

export interface CrossValidation {
  candidate: Candidate;
  accuracy: number;
  nll: number;
  /** Out-of-fold logits (uncalibrated), one per example, in input order. */
  oofLogits: Float64Array[];
}

interface Prepared {
  raw: RawFeatures;
  y: number;
}

function prepare(examples: LabeledExample[]): Prepared[] {
  return examples.map((e) => ({ raw: extractRawFeatures(e.description, e.hints), y: LABELS.indexOf(e.label) }));
}

function fit(prepared: Prepared[], candidate: Candidate) {
  const space = fitFeatureSpace(
    prepared.map((p) => p.raw),
    candidate.features,
  );
  const vectorizer = new Vectorizer(space);
  const weights = fitSoftmaxRegression(
    prepared.map((p) => vectorizer.vectorize(p.raw)),
    prepared.map((p) => p.y),
    { classes: LABELS.length, features: space.names.length, l2: candidate.l2 },
  );
  return { space, vectorizer, weights };
}

/** Stratified k-fold assignment with a fixed seed: fold[i] for example i. */
export function stratifiedFolds(examples: LabeledExample[], k: number, seed: number): number[] {
  const random = seededRandom(seed);
  const fold = new Array<number>(examples.length).fill(0);
  for (const label of LABELS) {
    const members = shuffled(
      examples.map((e, i) => (e.label === label ? i : -1)).filter((i) => i >= 0),
      random,
    );
    members.forEach((i, n) => (fold[i] = n % k));
  }
  return fold;
}

export function crossValidate(examples: LabeledExample[], candidate: Candidate, k: number, seed: number): CrossValidation {
  const prepared = prepare(examples);
  const fold = stratifiedFolds(examples, k, seed);
  const oofLogits: Float64Array[] = new Array(examples.length);
  for (let f = 0; f < k; f++) {
    const { vectorizer, weights } = fit(
      prepared.filter((_, i) => fold[i] !== f),
      candidate,
    );
    prepared.forEach((p, i) => {
      if (fold[i] === f) oofLogits[i] = logits(weights, vectorizer.vectorize(p.raw));
    });
  }
  const labels = prepared.map((p) => p.y);
  const correct = oofLogits.filter((z, i) => z.indexOf(Math.max(...z)) === labels[i]).length;
  return { candidate, accuracy: correct / examples.length, nll: meanNll(oofLogits, labels, 1), oofLogits };
}

const round = (v: number) => Number(v.toPrecision(6));

/** Fits the final model on every training example and packages it with its calibration. */
export function trainArtifact(examples: LabeledExample[], candidate: Candidate, temperature: number, version: string, training: Record<string, unknown>): ModelArtifact {
  const { space, weights } = fit(prepare(examples), candidate);
  const D = space.names.length;
  // Features whose weights are all ~0 add size but never change a prediction.
  const keep = space.names.map((_, i) => LABELS.some((__, k) => Math.abs(weights.weights[k * D + i]!) >= 1e-6));
  return {
    format: ARTIFACT_FORMAT,
    version,
    createdAt: new Date().toISOString(),
    labels: LABELS,
    features: { config: space.config, names: space.names.filter((_, i) => keep[i]), idf: space.idf.filter((_, i) => keep[i]).map(round) },
    weights: LABELS.map((_, k) => Array.from(weights.weights.subarray(k * D, (k + 1) * D)).filter((_, i) => keep[i]).map(round)),
    bias: Array.from(weights.bias, round),
    calibration: { method: 'temperature', temperature: round(temperature), fittedOn: 'out-of-fold logits of 5-fold stratified cross-validation on the train split' },
    training,
  };
}

export interface Evaluation extends ClassificationMetrics {
  ece: number;
  nll: number;
  /** Requests the model got wrong, for the report. */
  errors: { description: string; label: Framework; predicted: Framework; confidence: number }[];
}

export function evaluate(model: FrameworkModel, examples: LabeledExample[]): Evaluation {
  const probabilities = examples.map((e) => model.probabilities(e.description, e.hints));
  const predicted = probabilities.map((p) => model.labels[p.indexOf(Math.max(...p))]!);
  const truthIdx = examples.map((e) => model.labels.indexOf(e.label));
  const metrics = classificationMetrics(
    model.labels,
    examples.map((e) => e.label),
    predicted,
  );
  const nll = -probabilities.reduce((s, p, i) => s + Math.log(Math.max(p[truthIdx[i]!]!, 1e-12)), 0) / Math.max(1, examples.length);
  return {
    ...metrics,
    ece: expectedCalibrationError(probabilities, truthIdx),
    nll,
    errors: examples
      .map((e, i) => ({ description: e.description, label: e.label, predicted: predicted[i]!, confidence: Math.max(...probabilities[i]!) }))
      .filter((e) => e.label !== e.predicted),
  };
}

export { fitTemperature, softmax };
