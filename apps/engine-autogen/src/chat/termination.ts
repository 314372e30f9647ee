import type { TerminationSpec } from '../definition/termination-spec.ts';
import { addUsage, ZERO_USAGE, type ChatMessage } from './chat-message.ts';

export interface TerminationContext {
  /** Every message of the chat so far, the task first. */
  thread: ChatMessage[];
  /** Time the chat has been running (time spent waiting for a person excluded). */
  elapsedMs: number;
  /** The external stop (cancellation) was requested. */
  externalStop: boolean;
}

/** Why a condition stopped the chat, in AutoGen's words, or null while it goes on. */
export type TerminationVerdict = string | null;

/**
 * Evaluate a termination condition after a message. Conditions are evaluated over the whole
 * thread rather than remembering what they saw, which is what AutoGen's stateful conditions
 * amount to when checked after every message, and it survives restarts with nothing to store:
 * an AND holds once each of its parts has held at some point of the chat.
 */
export function evaluateTermination(spec: TerminationSpec, context: TerminationContext): TerminationVerdict {
  if ('and' in spec) {
    const verdicts = spec.and.map((child) => evaluateTermination(child, context));
    return verdicts.every((v) => v !== null) ? verdicts.join('; ') : null;
  }
  if ('or' in spec) {
    for (const child of spec.or) {
      const verdict = evaluateTermination(child, context);
      if (verdict !== null) return verdict;
    }
    return null;
  }
  const { thread } = context;
  if ('maxMessages' in spec) return thread.length >= spec.maxMessages ? `Maximum number of messages ${spec.maxMessages} reached, current message count: ${thread.length}` : null;
  if ('textMention' in spec) {
    const { text, sources } = typeof spec.textMention === 'string' ? { text: spec.textMention, sources: undefined } : spec.textMention;
    // The task itself never stops the chat, even when it quotes the word.
    const hit = thread.find((m) => m.kind !== 'task' && (!sources || sources.includes(m.source)) && m.content.includes(text));
    return hit ? `Text '${text}' mentioned by ${hit.source}` : null;
  }
  if ('tokenUsage' in spec) {
    const usage = thread.reduce((sum, m) => addUsage(sum, m.usage), ZERO_USAGE);
    const { maxTotalTokens, maxPromptTokens, maxCompletionTokens } = spec.tokenUsage;
    const total = usage.input + usage.output;
    if (maxTotalTokens !== undefined && total >= maxTotalTokens) return `Token usage limit reached, total token count: ${total}`;
    if (maxPromptTokens !== undefined && usage.input >= maxPromptTokens) return `Token usage limit reached, prompt token count: ${usage.input}`;
    if (maxCompletionTokens !== undefined && usage.output >= maxCompletionTokens) return `Token usage limit reached, completion token count: ${usage.output}`;
    return null;
  }
  if ('timeoutSeconds' in spec) return context.elapsedMs >= spec.timeoutSeconds * 1000 ? `Timeout of ${spec.timeoutSeconds} seconds reached` : null;
  if ('handoff' in spec) {
    const hit = thread.find((m) => m.kind === 'handoff' && m.target === spec.handoff);
    return hit ? `Handoff to ${spec.handoff} from ${hit.source} detected` : null;
  }
  if ('external' in spec) return context.externalStop ? 'External termination requested' : null;
  const hit = thread.find((m) => m.kind !== 'task' && spec.sourceMatch.includes(m.source));
  return hit ? `'${hit.source}' answered` : null;
}
