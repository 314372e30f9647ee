import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { chargedUsage, type ChatRequest, type ChatResult, type LlmClient } from '@switchyard/llm';
import { WorkflowEventType, type EngineEvent } from '@switchyard/contracts';
import type { UsageLedger } from './usage-ledger.ts';

/** Who is calling the model, for events, usage and rate limits. */
export interface ModelCaller {
  agent: string;
  task: string;
  maxRpm?: number;
}

/**
 * Every model call of a crew goes through here: it honours the agent's maxRpm, passes the abort
 * signal, books usage per agent and task, and reports a MODEL_CALL event (what billing meters).
 */
export class CrewModel {
  private readonly recentCalls = new Map<string, number[]>();

  constructor(
    private readonly llm: LlmClient,
    private readonly ledger: UsageLedger,
    private readonly emit: (event: EngineEvent) => void,
  ) {}

  get defaultModel(): string {
    return this.llm.defaultModel;
  }

  async chat(request: ChatRequest, caller: ModelCaller, signal: AbortSignal): Promise<ChatResult> {
    if (caller.maxRpm !== undefined) await this.waitForRateLimit(caller.agent, caller.maxRpm, signal);
    const result = await this.llm.chat(request, { signal }).catch((error: unknown) => {
      // A failed call is still metered for what the provider charged (replies it could not use).
      const charged = chargedUsage(error);
      if (charged) {
        const model = request.model ?? this.llm.defaultModel;
        this.ledger.record(caller.agent, caller.task, charged);
        this.emit({
          type: WorkflowEventType.MODEL_CALL,
          step: caller.task,
          agent: caller.agent,
          message: `${model}: ${charged.inputTokens} in, ${charged.outputTokens} out (charged for replies that could not be used)`,
          data: { callId: randomUUID(), model, usage: { input: charged.inputTokens, output: charged.outputTokens, cached: charged.cachedTokens }, latencyMs: 0, failed: true },
        });
      }
      throw error;
    });
    this.ledger.record(caller.agent, caller.task, result.usage);
    this.emit({
      type: WorkflowEventType.MODEL_CALL,
      step: caller.task,
      agent: caller.agent,
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

  /** A sliding one-minute window per agent, like CrewAI's RPMController. */
  private async waitForRateLimit(agent: string, maxRpm: number, signal: AbortSignal): Promise<void> {
    const windowMs = 60_000;
    for (;;) {
      const now = Date.now();
      const calls = (this.recentCalls.get(agent) ?? []).filter((at) => at > now - windowMs);
      if (calls.length < maxRpm) {
        calls.push(now);
        this.recentCalls.set(agent, calls);
        return;
      }
      this.recentCalls.set(agent, calls);
      await sleep(calls[0]! + windowMs - now + 5, undefined, { signal });
    }
  }
}
