import { z } from 'zod';

const sources = z.array(z.string().min(1)).min(1);

/**
 * A termination condition as written in a team definition: one leaf condition or an AND/OR of
 * several, e.g. {"or": [{"textMention": "TERMINATE"}, {"maxMessages": 20}]}. The leaves are
 * AutoGen's conditions: MaxMessageTermination, TextMentionTermination, TokenUsageTermination,
 * TimeoutTermination, HandoffTermination, ExternalTermination and SourceMatchTermination.
 */
export type TerminationSpec =
  | { maxMessages: number }
  | { textMention: string | { text: string; sources?: string[] } }
  | { tokenUsage: { maxTotalTokens?: number; maxPromptTokens?: number; maxCompletionTokens?: number } }
  | { timeoutSeconds: number }
  | { handoff: string }
  | { external: true }
  | { sourceMatch: string[] }
  | { and: TerminationSpec[] }
  | { or: TerminationSpec[] };

export const TerminationSpec: z.ZodType<TerminationSpec> = z.lazy(() =>
  z.union([
    z.strictObject({ maxMessages: z.number().int().min(1) }),
    z.strictObject({ textMention: z.union([z.string().min(1), z.strictObject({ text: z.string().min(1), sources: sources.optional() })]) }),
    z.strictObject({
      tokenUsage: z
        .strictObject({ maxTotalTokens: z.number().int().min(1).optional(), maxPromptTokens: z.number().int().min(1).optional(), maxCompletionTokens: z.number().int().min(1).optional() })
        .refine((t) => t.maxTotalTokens !== undefined || t.maxPromptTokens !== undefined || t.maxCompletionTokens !== undefined, 'set maxTotalTokens, maxPromptTokens or maxCompletionTokens'),
    }),
    z.strictObject({ timeoutSeconds: z.number().positive() }),
    z.strictObject({ handoff: z.string().min(1) }),
    z.strictObject({ external: z.literal(true) }),
    z.strictObject({ sourceMatch: sources }),
    z.strictObject({ and: z.array(TerminationSpec).min(1) }),
    z.strictObject({ or: z.array(TerminationSpec).min(1) }),
  ]),
);

/** Agent names a condition refers to (sources, handoff targets), with their paths, for validation. */
export function referencedNames(spec: TerminationSpec, path: string): { name: string; path: string }[] {
  if ('and' in spec) return spec.and.flatMap((child, i) => referencedNames(child, `${path}.and[${i}]`));
  if ('or' in spec) return spec.or.flatMap((child, i) => referencedNames(child, `${path}.or[${i}]`));
  if ('sourceMatch' in spec) return spec.sourceMatch.map((name, i) => ({ name, path: `${path}.sourceMatch[${i}]` }));
  if ('textMention' in spec && typeof spec.textMention === 'object') {
    return (spec.textMention.sources ?? []).map((name, i) => ({ name, path: `${path}.textMention.sources[${i}]` }));
  }
  return [];
}
