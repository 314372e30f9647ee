import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { Framework } from '@switchyard/contracts';

/** One labeled request: what a user asked for, optional blueprint hints, and the framework the labeling guide assigns. */
export const LabeledExample = z
  .object({
    description: z.string().trim().min(1),
    // Loose on purpose: hints in data files mirror what clients send, unknown values included.
    hints: z.record(z.string(), z.unknown()).optional(),
    label: Framework,
  })
  .strict();
export type LabeledExample = z.infer<typeof LabeledExample>;

/** Reads a JSONL file of labeled examples; every bad line is reported with its number. */
export function readLabeledJsonl(path: string): LabeledExample[] {
  const examples: LabeledExample[] = [];
  const errors: string[] = [];
  readFileSync(path, 'utf8')
    .split('\n')
    .forEach((line, index) => {
      if (!line.trim()) return;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (error) {
        errors.push(`${path}:${index + 1}: not JSON (${(error as Error).message})`);
        return;
      }
      const parsed = LabeledExample.safeParse(value);
      if (parsed.success) examples.push(parsed.data);
      else errors.push(`${path}:${index + 1}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    });
  if (errors.length) throw new Error(`Invalid labeled examples:\n${errors.join('\n')}`);
  return examples;
}

export function toJsonl(examples: LabeledExample[]): string {
  return examples.map((e) => JSON.stringify(e.hints ? { description: e.description, hints: e.hints, label: e.label } : { description: e.description, label: e.label })).join('\n') + '\n';
}

/** A small seeded PRNG (mulberry32) so splits, folds and exploration tests are reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}
