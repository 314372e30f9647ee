import type { ToolSpec } from '@switchyard/llm';
import type { RunTools } from '@switchyard/engine-kit';
import type { ToolCallRecord } from '@switchyard/tools';

/** What running a tool produced: the observation the agent sees, whether it was an error, and the call's record. */
export interface ToolOutcome {
  observation: string;
  error: boolean;
  record?: ToolCallRecord;
}

/**
 * A crew's view of the run's tools (libs/tools, filtered to what the tenant enabled): function-calling
 * specs for the agents, and calls whose failures come back as observations, never as exceptions.
 */
export class CrewTools {
  constructor(private readonly tools: RunTools) {}

  names(): string[] {
    return this.tools.registry.names();
  }

  has(name: string): boolean {
    return this.tools.registry.has(name);
  }

  spec(name: string): ToolSpec {
    return this.tools.registry.spec(name);
  }

  async run(name: string, rawArguments: string | unknown): Promise<ToolOutcome> {
    const outcome = await this.tools.call(name, rawArguments);
    return { observation: outcome.observation, error: !outcome.ok, record: outcome.record };
  }
}
