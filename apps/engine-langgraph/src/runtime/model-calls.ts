import { randomUUID } from 'node:crypto';
import type { ChatRequest, ChatResult, LlmClient } from '@switchyard/llm';
import { WorkflowEventType, type EngineEvent } from '@switchyard/contracts';

/** A model call made by a graph node, reported as a MODEL_CALL event with its usage (what billing meters). */
export async function callModel(
  llm: LlmClient,
  request: ChatRequest,
  io: { emit(event: EngineEvent): void; signal: AbortSignal },
  step: string,
): Promise<ChatResult> {
  const result = await llm.chat(request, { signal: io.signal });
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
  return result;
}
