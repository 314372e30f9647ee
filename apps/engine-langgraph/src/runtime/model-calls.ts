import { randomUUID } from 'node:crypto';
import type { ChatRequest, ChatResult, LlmClient } from '@switchyard/llm';
import { WorkflowEventType, type EngineEvent } from '@switchyard/contracts';

/** Where graph nodes report to: the run's event stream and its cancellation signal. */
export interface ModelCallIO {
  emit(event: EngineEvent): void;
  signal: AbortSignal;
}

/** Engine-specific event: the text a model has produced so far, batched (see streamModel). */
export const MODEL_OUTPUT = 'MODEL_OUTPUT';
const MAX_OUTPUT_EVENT_CHARS = 8000;

function reportUsage(result: ChatResult, io: ModelCallIO, step: string): void {
  io.emit({
    type: WorkflowEventType.MODEL_CALL,
    step,
    agent: step,
    message: `${result.model}: ${result.usage.inputTokens} in, ${result.usage.outputTokens} out`,
    data: {
      callId: result.responseId || randomUUID(),
      model: result.model,
      usage: { input: result.usage.inputTokens, output: result.usage.outputTokens, cached: result.usage.cachedTokens },
      latencyMs: result.latencyMs,
    },
  });
}

/** A model call made by a graph node, reported as a MODEL_CALL event with its usage (what billing meters). */
export async function callModel(llm: LlmClient, request: ChatRequest, io: ModelCallIO, step: string, signal: AbortSignal = io.signal): Promise<ChatResult> {
  const result = await llm.chat(request, { signal });
  reportUsage(result, io, step);
  return result;
}

/**
 * A model call over the streaming API. One event per token would flood the workflow's event log,
 * so tokens are batched: a MODEL_OUTPUT event with the text so far at most every `intervalMs`
 * while the model writes, and a last one (`done: true`) when it finishes; then MODEL_CALL with usage.
 */
export async function streamModel(
  llm: LlmClient,
  request: ChatRequest,
  io: ModelCallIO,
  step: string,
  options: { signal?: AbortSignal; intervalMs?: number } = {},
): Promise<ChatResult> {
  const intervalMs = options.intervalMs ?? 500;
  let text = '';
  let sent = 0;
  let lastEmit = Date.now();
  const emitOutput = (done: boolean) => {
    sent = text.length;
    lastEmit = Date.now();
    io.emit({ type: MODEL_OUTPUT, step, agent: step, data: { text: text.slice(0, MAX_OUTPUT_EVENT_CHARS), truncated: text.length > MAX_OUTPUT_EVENT_CHARS, done } });
  };
  const result = await llm.chatStream(request, {
    signal: options.signal ?? io.signal,
    onToken: (delta) => {
      text += delta;
      if (Date.now() - lastEmit >= intervalMs) emitOutput(false);
    },
  });
  if (text.length > 0 || sent > 0) emitOutput(true);
  reportUsage(result, io, step);
  return result;
}
