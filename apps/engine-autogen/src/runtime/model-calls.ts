import { randomUUID } from 'node:crypto';
import { chargedUsage, type ChatRequest, type ChatResult, type LlmClient } from '@switchyard/llm';
import { WorkflowEventType, type EngineEvent, type TokenUsageTotals } from '@switchyard/contracts';

/** Calls the model for one agent (or the selector), reporting each call as a MODEL_CALL event with its usage. */
export type ModelCaller = (agent: string, request: ChatRequest) => Promise<ChatResult>;

export function modelCaller(
  llm: LlmClient,
  io: { emit(event: EngineEvent): void; signal: AbortSignal },
  onUsage: (agent: string, usage: TokenUsageTotals) => void,
): ModelCaller {
  return async (agent, request) => {
    const result = await llm.chat(request, { signal: io.signal }).catch((error: unknown) => {
      // A failed call is still metered for what the provider charged (replies it could not use).
      const charged = chargedUsage(error);
      if (charged) {
        const model = request.model ?? llm.defaultModel;
        const usage = { input: charged.inputTokens, output: charged.outputTokens, cached: charged.cachedTokens };
        onUsage(agent, usage);
        io.emit({ type: WorkflowEventType.MODEL_CALL, step: agent, agent, message: `${model}: ${usage.input} in, ${usage.output} out (charged for replies that could not be used)`, data: { callId: randomUUID(), model, usage, latencyMs: 0, failed: true } });
      }
      throw error;
    });
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
