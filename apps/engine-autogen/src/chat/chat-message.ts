import type { ToolCall } from '@switchyard/llm';
import type { TokenUsageTotals } from '@switchyard/contracts';

/** A tool call an assistant made within its turn, with what the tool returned. */
export interface ToolExchange {
  call: ToolCall;
  result: string;
  isError: boolean;
}

/**
 * One message of the group chat thread (AutoGen's chat messages): the task (source "user"), an
 * agent's text, a handoff (swarm), a tool call summary, a code execution report, or a person's reply.
 * `toolRounds` keeps the tool calls behind a message so the speaker's own model context can be
 * rebuilt exactly after a restart.
 */
export interface ChatMessage {
  source: string;
  kind: 'task' | 'text' | 'handoff' | 'tool_summary' | 'code_execution' | 'user_input';
  content: string;
  /** The agent a handoff goes to. */
  target?: string;
  /** Tokens the message cost (the model calls of its turn). */
  usage?: TokenUsageTotals;
  /** Rounds of tool calls behind the message (one per model call that asked for tools). */
  toolRounds?: ToolExchange[][];
  at: string;
}

export function addUsage(a: TokenUsageTotals, b: TokenUsageTotals | undefined): TokenUsageTotals {
  if (!b) return a;
  return { input: a.input + b.input, output: a.output + b.output, cached: a.cached + b.cached };
}

export const ZERO_USAGE: TokenUsageTotals = { input: 0, output: 0, cached: 0 };
