import { contentWords, fnv1a } from './text-tools.ts';

/** Default vector size; callers may ask for another with the `dimensions` parameter. */
export const DEFAULT_EMBEDDING_DIMENSIONS = 256;

/**
 * Deterministic "embedding": a signed hashed bag of content words (weight 1) plus their character trigrams
 * (weight 0.3, so "invoice" and "invoices" stay close), L2-normalised. Cosine similarity therefore tracks word
 * overlap, which is enough for retrieval to rank a relevant text above an unrelated one.
 */
export function embedText(text: string, dimensions = DEFAULT_EMBEDDING_DIMENSIONS): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  const add = (feature: string, weight: number) => {
    const h = fnv1a(feature);
    vector[h % dimensions]! += h & 0x80000000 ? -weight : weight;
  };
  for (const word of contentWords(text)) {
    add(`w:${word}`, 1);
    const padded = `^${word}$`;
    for (let i = 0; i + 3 <= padded.length; i++) add(`t:${padded.slice(i, i + 3)}`, 0.3);
  }
  const norm = Math.hypot(...vector);
  if (norm === 0) {
    vector[0] = 1; // empty or stopword-only text still gets a valid unit vector
    return vector;
  }
  return vector.map((v) => v / norm);
}

/** The base64 form OpenAI returns for `encoding_format: "base64"`: little-endian float32s. */
export function toBase64Float32(vector: number[]): string {
  return Buffer.from(new Float32Array(vector).buffer).toString('base64');
}
