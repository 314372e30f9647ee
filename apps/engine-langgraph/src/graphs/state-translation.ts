import type { UniversalAgentState } from '@switchyard/contracts';
import type { GraphDefinition } from '../definitions/graph-definition.ts';
import { renderTemplate } from '../definitions/templates.ts';
import { CHOICES, type GraphValues } from './graph-compiler.ts';
import type { PlanAndExecuteState } from './plan-and-execute.ts';

/** The one place where the universal state becomes this engine's native graph state, and back. */
export function toNativeState(state: UniversalAgentState): { input: string } {
  return { input: state.userInput };
}

export function fromNativeState(native: PlanAndExecuteState): { output: string; frameworkState: Record<string, unknown> } {
  return {
    output: native.output ?? '',
    frameworkState: { graph: 'plan-and-execute', plan: native.plan, results: native.results },
  };
}

/** A declarative graph's state without the engine's hidden channels. */
export function publicValues(values: GraphValues): GraphValues {
  return Object.fromEntries(Object.entries(values).filter(([key]) => !key.startsWith('_')));
}

/**
 * The output and framework state of a declarative graph: the definition's output template, else
 * an `output` key holding text, else the state as JSON.
 */
export function fromGraphState(definition: GraphDefinition, values: GraphValues, source: Record<string, unknown>): { output: string; frameworkState: Record<string, unknown> } {
  const state = publicValues(values);
  const output = definition.output
    ? renderTemplate(definition.output, state)
    : typeof state['output'] === 'string'
      ? state['output']
      : JSON.stringify(Object.fromEntries(Object.entries(state).filter(([key]) => key !== 'input')));
  return {
    output,
    frameworkState: { graph: definition.name ?? 'graph', source, values: state, routes: values[CHOICES] ?? {} },
  };
}
