import { randomUUID } from 'node:crypto';
import { chargedUsage, type ChatRequest, type ChatResult, type LlmClient } from '@switchyard/llm';
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

/**
 * A failed call is still metered for what the provider charged (replies it could not use, e.g.
 * tool-call arguments that were not JSON); then the error goes on.
 */
export function reportChargedFailure(error: unknown, llm: LlmClient, request: ChatRequest, io: Pick<ModelCallIO, 'emit'>, step: string, agent: string = step): never {
  const usage = chargedUsage(error);
  if (usage) {
    const model = request.model ?? llm.defaultModel;
    io.emit({
      type: WorkflowEventType.MODEL_CALL,
      step,
      agent,
      message: `${model}: ${usage.inputTokens} in, ${usage.outputTokens} out (charged for replies that could not be used)`,
      data: { callId: randomUUID(), model, usage: { input: usage.inputTokens, output: usage.outputTokens, cached: usage.cachedTokens }, latencyMs: 0, failed: true },
    });
  }
  throw error;
}

/** A model call made by a graph node, reported as a MODEL_CALL event with its usage (what billing meters). */
export async function callModel(llm: LlmClient, request: ChatRequest, io: ModelCallIO, step: string, signal: AbortSignal = io.signal): Promise<ChatResult> {
  const result = await llm.chat(request, { signal }).catch((error: unknown) => reportChargedFailure(error, llm, request, io, step));
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
    // A stream cut short is asked again: the next MODEL_OUTPUT carries the new attempt's text so far.
    onRetry: () => {
      text = '';
    },
  }).catch((error: unknown) => reportChargedFailure(error, llm, request, io, step));
  if (text.length > 0 || sent > 0) emitOutput(true);
  reportUsage(result, io, step);
  return result;
}
