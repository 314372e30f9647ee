import { hintFeatures } from './hint-features.ts';
import type { SparseVector } from './softmax-regression.ts';
import { SIGNAL_GROUPS, charNgrams, signalMatches, tokenize, wordNgrams } from './text-features.ts';

/** How much each feature family weighs after its own L2 normalisation. */
export interface BlockWeights {
  word: number;
  char: number;
  signal: number;
  hint: number;
}

export interface FeatureConfig {
  /** A word or character n-gram enters the vocabulary when at least this many training requests contain it. */
  minDf: number;
  blockWeights: BlockWeights;
  /**
   * 0 for plain L2 normalisation of the n-gram families. Above 0, a family is divided by
   * max(its norm, that quantile of the training requests' norms), so a three-word request carries
   * less evidence than a paragraph instead of the same amount.
   */
  normFloorQuantile?: number;
  /** Filled in by fitFeatureSpace from normFloorQuantile. */
  normFloor?: { word: number; char: number };
}

/** The fitted vocabulary: feature names (prefixed w:, c:, s:, h:) with their inverse document frequency. */
export interface FeatureSpace {
  config: FeatureConfig;
  names: string[];
  idf: number[];
}

/** Everything read from one request before it is weighted: n-grams, signal matches, hint features. */
export interface RawFeatures {
  tokens: string[];
  words: Map<string, number>;
  chars: Map<string, number>;
  signals: Map<string, string[]>;
  hints: string[];
}

function counts(items: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const i of items) m.set(i, (m.get(i) ?? 0) + 1);
  return m;
}

export function extractRawFeatures(description: string, hints?: Record<string, unknown> | null): RawFeatures {
  const tokens = tokenize(description);
  return { tokens, words: counts(wordNgrams(tokens)), chars: counts(charNgrams(tokens)), signals: signalMatches(description), hints: hintFeatures(hints) };
}

export function fitFeatureSpace(raws: RawFeatures[], config: FeatureConfig): FeatureSpace {
  const df = new Map<string, number>();
  for (const raw of raws) for (const name of [...raw.words.keys(), ...raw.chars.keys(), ...raw.hints]) df.set(name, (df.get(name) ?? 0) + 1);
  const ngrams = [...df.entries()].filter(([name, n]) => !name.startsWith('h:') && n >= config.minDf).map(([name]) => name);
  const hints = [...df.keys()].filter((name) => name.startsWith('h:'));
  const names = [...ngrams.sort(), ...SIGNAL_GROUPS.map((g) => `s:${g.id}`), ...hints.sort()];
  const n = raws.length;
  const idf = names.map((name) => (name.startsWith('w:') || name.startsWith('c:') ? Math.log((1 + n) / (1 + df.get(name)!)) + 1 : 1));
  const q = config.normFloorQuantile ?? 0;
  if (q <= 0) return { config, names, idf };
  const plain = new Vectorizer({ config, names, idf });
  const quantile = (values: number[]) => values.sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(q * values.length))] ?? 0;
  const normFloor = { word: quantile(raws.map((r) => plain.blockNorm(r.words))), char: quantile(raws.map((r) => plain.blockNorm(r.chars))) };
  return { config: { ...config, normFloor }, names, idf };
}

/** Turns raw features into the model's sparse vector: sublinear TF-IDF per n-gram family, each family L2-normalised and weighted. */
export class Vectorizer {
  private readonly index = new Map<string, number>();
  constructor(readonly space: FeatureSpace) {
    space.names.forEach((name, i) => this.index.set(name, i));
  }

  /** The TF-IDF norm of one n-gram family before normalisation. */
  blockNorm(items: Map<string, number>): number {
    let sum = 0;
    for (const [name, count] of items) {
      const i = this.index.get(name);
      if (i !== undefined) sum += ((1 + Math.log(count)) * this.space.idf[i]!) ** 2;
    }
    return Math.sqrt(sum);
  }

  vectorize(raw: RawFeatures): SparseVector {
    const w = this.space.config.blockWeights;
    const entries: [number, number][] = [];
    const floor = this.space.config.normFloor;
    const block = (items: Iterable<[string, number]>, weight: number, tfidf: boolean, minNorm = 0) => {
      const part: [number, number][] = [];
      for (const [name, count] of items) {
        const i = this.index.get(name);
        if (i === undefined) continue;
        part.push([i, tfidf ? (1 + Math.log(count)) * this.space.idf[i]! : count]);
      }
      const norm = Math.max(minNorm, Math.sqrt(part.reduce((s, [, v]) => s + v * v, 0)));
      if (norm > 0 && weight > 0) for (const [i, v] of part) entries.push([i, (v / norm) * weight]);
    };
    block(raw.words, w.word, true, floor?.word);
    block(raw.chars, w.char, true, floor?.char);
    block([...raw.signals].map(([id, found]) => [`s:${id}`, Math.log1p(found.length)] as [string, number]), w.signal, false);
    for (const h of raw.hints) {
      const i = this.index.get(h);
      if (i !== undefined) entries.push([i, w.hint]);
    }
    entries.sort((a, b) => a[0] - b[0]);
    return { indices: Int32Array.from(entries, (e) => e[0]), values: Float64Array.from(entries, (e) => e[1]) };
  }
}
