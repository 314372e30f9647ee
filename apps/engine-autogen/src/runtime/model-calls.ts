import { randomUUID } from 'node:crypto';
import type { ChatRequest, ChatResult, LlmClient } from '@switchyard/llm';
import { WorkflowEventType, type EngineEvent, type TokenUsageTotals } from '@switchyard/contracts';

/** Calls the model for one agent (or the selector), reporting each call as a MODEL_CALL event with its usage. */
export type ModelCaller = (agent: string, request: ChatRequest) => Promise<ChatResult>;

export function modelCaller(
  llm: LlmClient,
  io: { emit(event: EngineEvent): void; signal: AbortSignal },
  onUsage: (agent: string, usage: TokenUsageTotals) => void,
): ModelCaller {
  return async (agent, request) => {
    const result = await llm.chat(request, { signal: io.signal });
    const usage = { input: result.usage.inputTokens, output: result.usage.outputTokens, cached: result.usage.cachedTokens };
    onUsage(agent, usage);
    io.emit({
      type: WorkflowEventType.MODEL_CALL,
      step: agent,
      agent,
      message: `${result.model}: ${usage.input} in, ${usage.output} out`,
      data: { callId: result.responseId || randomUUID(), model: result.model, usage, latencyMs: result.latencyMs },
    });
    return result;
  };
}
