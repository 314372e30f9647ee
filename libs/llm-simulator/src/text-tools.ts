/**
 * Small deterministic text helpers shared by the reply generator, the schema filler and the embedder.
 * Nothing here is clever on purpose: the simulator must give the same answer for the same input forever.
 */

/** Word-based tokenizer: every run of letters/digits is one token, and so is every other non-space character. */
export function countTokens(text: string): number {
  return text.match(TOKEN)?.length ?? 0;
}
const TOKEN = /[\p{L}\p{N}_]+|[^\s\p{L}\p{N}_]/gu;

/** Cut `text` after `limit` tokens (same tokenizer as countTokens); returns the text unchanged when it fits. */
export function truncateTokens(text: string, limit: number): { text: string; truncated: boolean } {
  let count = 0;
  for (const match of text.matchAll(TOKEN)) {
    count += 1;
    if (count === limit) return { text: text.slice(0, match.index + match[0].length), truncated: match.index + match[0].length < text.trimEnd().length };
  }
  return { text, truncated: false };
}

/** 32-bit FNV-1a: stable across runs and platforms, which Math.random and object hashing are not. */
export function fnv1a(text: string, seed = 0x811c9dc5): number {
  let hash = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

export const STOPWORDS = new Set(
  (
    'a an the and or but if then else of to in on at by for with from into about as is are was were be been being am ' +
    'do does did have has had it its this that these those there here i me my we our you your he she they them their ' +
    'what which who whom whose when where why how can could should would will shall may might must please not no yes ' +
    'so than too very just also any all some such only own same more most other each both few up down out over under ' +
    'again once s t don now tell give get make let us'
  ).split(' '),
);

/** Lowercased words without punctuation and stopwords, lightly stemmed so "claims" and "claim" meet. */
export function contentWords(text: string, stemmed = true): string[] {
  const words = (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter((w) => !STOPWORDS.has(w));
  return stemmed ? words.map(stem) : words;
}

/** Stemming-lite: strips the commonest English suffixes, never below three letters. */
export function stem(word: string): string {
  for (const suffix of ['ing', 'edly', 'ed', 'ies', 'es', 's', 'ly']) {
    if (word.length - suffix.length >= 3 && word.endsWith(suffix)) {
      return suffix === 'ies' ? `${word.slice(0, -3)}y` : word.slice(0, -suffix.length);
    }
  }
  return word;
}

/** Split camelCase / snake_case / kebab-case identifiers into lowercase words. */
export function identifierWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** The first sentence of `text`, cut to `maxWords` words, whitespace collapsed. */
export function keyPhrase(text: string, maxWords = 20): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const sentence = flat.match(/^.*?[.!?](?=\s|$)/)?.[0] ?? flat;
  const words = sentence.split(' ');
  return words.length > maxWords ? `${words.slice(0, maxWords).join(' ')}…` : sentence;
}
