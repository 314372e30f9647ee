import type { TokenUsage } from '@switchyard/llm';

/** Tokens and calls of one agent or one task; costUsd stays 0 until billing owns prices. */
export interface UsageTotals {
  input: number;
  output: number;
  cached: number;
  modelCalls: number;
  costUsd: number;
}

export interface UsageSnapshot {
  total: UsageTotals;
  byAgent: Record<string, UsageTotals>;
  byTask: Record<string, UsageTotals>;
}

const empty = (): UsageTotals => ({ input: 0, output: 0, cached: 0, modelCalls: 0, costUsd: 0 });

/** Token usage per agent and per task, carried in the checkpoint so totals survive restarts. */
export class UsageLedger {
  private readonly usage: UsageSnapshot;

  constructor(saved?: UsageSnapshot) {
    this.usage = saved ? structuredClone(saved) : { total: empty(), byAgent: {}, byTask: {} };
  }

  record(agent: string, task: string, tokens: TokenUsage): void {
    for (const totals of [this.usage.total, (this.usage.byAgent[agent] ??= empty()), (this.usage.byTask[task] ??= empty())]) {
      totals.input += tokens.inputTokens;
      totals.output += tokens.outputTokens;
      totals.cached += tokens.cachedTokens;
      totals.modelCalls += 1;
    }
  }

  snapshot(): UsageSnapshot {
    return structuredClone(this.usage);
  }
}
