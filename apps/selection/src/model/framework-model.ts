import { readFileSync, readdirSync } from 'node:fs';
import { z } from 'zod';
import { Framework } from '@switchyard/contracts';
import { Vectorizer, extractRawFeatures, type FeatureSpace, type RawFeatures } from './feature-space.ts';
import { describeHintFeature } from './hint-features.ts';
import { logits, softmax, type SoftmaxWeights } from './softmax-regression.ts';
import { MAX_MODEL_CHARS, SIGNAL_GROUPS } from './text-features.ts';

export const ARTIFACT_FORMAT = 'switchyard.framework-recommender/1';

/** The checked-in model file (apps/selection/model/framework-recommender-v<N>.json). */
export const ModelArtifact = z.object({
  format: z.literal(ARTIFACT_FORMAT),
  version: z.string().min(1),
  createdAt: z.string(),
  labels: z.array(Framework).length(4),
  features: z.object({
    config: z.object({
      minDf: z.number().int().min(1),
      blockWeights: z.object({ word: z.number(), char: z.number(), signal: z.number(), hint: z.number() }),
      normFloorQuantile: z.number().min(0).max(1).optional(),
      normFloor: z.object({ word: z.number(), char: z.number() }).optional(),
    }),
    names: z.array(z.string()),
    idf: z.array(z.number()),
  }),
  weights: z.array(z.array(z.number())),
  bias: z.array(z.number()),
  calibration: z.object({ method: z.literal('temperature'), temperature: z.number().positive(), fittedOn: z.string() }),
  training: z.record(z.string(), z.unknown()),
});
export type ModelArtifact = z.infer<typeof ModelArtifact>;

/** One piece of evidence the rationale cites, with the shape of work it points to. */
export interface Evidence {
  text: string;
  shape: Framework;
  weight: number;
}

export interface FrameworkPrediction {
  /** Calibrated probabilities, highest first. */
  ranked: { framework: Framework; probability: number }[];
  evidence: Evidence[];
  truncated: boolean;
}

// Function words carry weight in the model ("then", "a team of") but read as noise on their own in a rationale.
const STOPWORDS = new Set('a an and the of to for in on at by with is are be it its this that these our we i you me my us as or from into then if so do does have has had will should can could would please each every all any'.split(' '));
const readable = (text: string) => text.replace(/"/g, '').split(/[ ,]+/).some((w) => w.length > 2 && !STOPWORDS.has(w)) || /\b(then|a team of)\b/.test(text);

const SHAPE_WORDS: Record<Framework, string> = {
  LANGGRAPH: 'a known process',
  CREWAI: 'a team of roles',
  AUTOGEN: 'a conversation or code loop',
  HYBRID: 'several shapes in one request',
};

/**
 * The trained framework recommender: TF-IDF word and character n-grams, signal groups and hint
 * features into a softmax regression with a fitted temperature. Loaded once; `predict` is pure and
 * deterministic for a given artifact.
 */
export class FrameworkModel {
  readonly version: string;
  readonly labels: Framework[];
  private readonly vectorizer: Vectorizer;
  private readonly weights: SoftmaxWeights;
  private readonly temperature: number;

  constructor(readonly artifact: ModelArtifact) {
    const space: FeatureSpace = artifact.features;
    if (space.idf.length !== space.names.length || artifact.weights.some((row) => row.length !== space.names.length)) {
      throw new Error(`model ${artifact.version}: weights and vocabulary sizes differ`);
    }
    this.version = artifact.version;
    this.labels = artifact.labels;
    this.vectorizer = new Vectorizer(space);
    const D = space.names.length;
    const flat = new Float64Array(this.labels.length * D);
    artifact.weights.forEach((row, k) => flat.set(row, k * D));
    this.weights = { weights: flat, bias: Float64Array.from(artifact.bias), classes: this.labels.length, features: D };
    this.temperature = artifact.calibration.temperature;
  }

  static load(path: string): FrameworkModel {
    return new FrameworkModel(ModelArtifact.parse(JSON.parse(readFileSync(path, 'utf8'))));
  }

  /** Calibrated probabilities only (no rationale): what evaluation needs. */
  probabilities(description: string, hints?: Record<string, unknown> | null): number[] {
    return softmax(logits(this.weights, this.vectorizer.vectorize(extractRawFeatures(description, hints))), this.temperature);
  }

  predict(description: string, hints?: Record<string, unknown> | null): FrameworkPrediction {
    const raw = extractRawFeatures(description, hints);
    const x = this.vectorizer.vectorize(raw);
    const p = softmax(logits(this.weights, x), this.temperature);
    const ranked = this.labels.map((framework, k) => ({ framework, probability: p[k]! })).sort((a, b) => b.probability - a.probability);
    const top = this.labels.indexOf(ranked[0]!.framework);
    return { ranked, evidence: this.evidence(raw, x, top), truncated: description.length > MAX_MODEL_CHARS };
  }

  /**
   * The features that pushed the top class up the most, regrouped into words a person recognises:
   * n-grams as phrases, character n-grams as the words they came from, signal groups as the
   * phrases they matched, hints by name.
   */
  private evidence(raw: RawFeatures, x: { indices: Int32Array; values: Float64Array }, top: number): Evidence[] {
    const K = this.labels.length;
    const D = this.weights.features;
    const units = new Map<string, number[]>();
    const add = (text: string, perClass: number[], share = 1) => {
      const u = units.get(text) ?? new Array<number>(K).fill(0);
      for (let k = 0; k < K; k++) u[k]! += perClass[k]! * share;
      units.set(text, u);
    };
    const padded = [...new Set(raw.tokens)].map((t) => [t, ` ${t} `] as const);
    const perClass = new Array<number>(K);
    for (let j = 0; j < x.indices.length; j++) {
      const i = x.indices[j]!;
      let mean = 0;
      for (let k = 0; k < K; k++) {
        perClass[k] = x.values[j]! * this.weights.weights[k * D + i]!;
        mean += perClass[k]! / K;
      }
      // Only what pushed the top class up can be evidence for it.
      if (perClass[top]! <= mean) continue;
      const name = this.vectorizer.space.names[i]!;
      if (name.startsWith('w:')) add(`"${name.slice(2)}"`, perClass);
      else if (name.startsWith('c:')) {
        const gram = name.slice(2);
        const from = padded.filter(([, p]) => p.includes(gram));
        for (const [owner] of from) add(`"${owner}"`, perClass, 1 / from.length);
      } else if (name.startsWith('s:')) {
        const found = [...new Set(raw.signals.get(name.slice(2)) ?? [])].slice(0, 3);
        const group = SIGNAL_GROUPS.find((g) => g.id === name.slice(2));
        add(found.length ? found.map((f) => `"${f}"`).join(', ') : (group?.describes ?? name), perClass);
      } else add(describeHintFeature(name), perClass);
    }
    const evidence: Evidence[] = [];
    for (const [text, perClass] of units) {
      const mean = perClass.reduce((a, b) => a + b, 0) / K;
      const weight = perClass[top]! - mean;
      if (weight <= 0 || !readable(text)) continue;
      const shape = this.labels[perClass.indexOf(Math.max(...perClass))]!;
      evidence.push({ text, shape, weight });
    }
    evidence.sort((a, b) => b.weight - a.weight || a.text.localeCompare(b.text));
    const chosen: Evidence[] = [];
    for (const e of evidence) {
      const bare = e.text.replace(/"/g, '');
      if (chosen.some((c) => c.text.replace(/"/g, '').includes(bare))) continue;
      chosen.push(e);
      if (chosen.length === 6) break;
    }
    return chosen;
  }
}

/** Words for the rationale: the evidence grouped by the shape of work it signals. */
export function describeEvidence(evidence: Evidence[]): string {
  if (!evidence.length) return 'no phrase the model knows stood out';
  const byShape = new Map<Framework, string[]>();
  for (const e of evidence) byShape.set(e.shape, [...(byShape.get(e.shape) ?? []), e.text]);
  return [...byShape].map(([shape, texts]) => `signals of ${SHAPE_WORDS[shape]}: ${texts.join(', ')}`).join('; ');
}

export function shapeOf(framework: Framework): string {
  return SHAPE_WORDS[framework];
}

/** The newest framework-recommender-v<N>.json in a directory. */
export function latestModelFile(directory: string): string {
  const versions = readdirSync(directory)
    .map((f) => /^framework-recommender-v(\d+)\.json$/.exec(f))
    .filter((m): m is RegExpExecArray => m !== null)
    .sort((a, b) => Number(b[1]) - Number(a[1]));
  if (!versions.length) throw new Error(`no framework-recommender-v<N>.json in ${directory}; run npm run selector:train`);
  return `${directory}/${versions[0]![0]}`;
}
