import type { UniversalAgentState } from '@switchyard/contracts';
import type { PlanAndExecuteState } from './plan-and-execute.ts';

/** The one place where the universal state becomes this engine's native graph state, and back. */
export function toNativeState(state: UniversalAgentState): Partial<PlanAndExecuteState> {
  return { input: state.userInput };
}

export function fromNativeState(native: PlanAndExecuteState): { output: string; frameworkState: Record<string, unknown> } {
  return {
    output: native.output ?? '',
    frameworkState: { graph: 'plan-and-execute', plan: native.plan, results: native.results },
  };
}
