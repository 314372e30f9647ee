import type { UniversalAgentState } from '@switchyard/contracts';
import type { CrewCheckpoint, KickoffInputs } from '../crew/crew-checkpoint.ts';
import type { CrewDefinition } from '../crew/crew-definition.ts';

/** The one place where the universal state becomes a crew's inputs, and a finished crew becomes framework state. */
export function kickoffInputs(state: UniversalAgentState, crew: CrewDefinition): KickoffInputs[] {
  const base: KickoffInputs = { input: state.userInput };
  return (crew.inputs ?? [{}]).map((inputs) => ({ ...base, ...inputs }));
}

export function crewOutput(checkpoint: CrewCheckpoint): string {
  const outputs = checkpoint.kickoffs.map((k) => k.output ?? '');
  if (outputs.length === 1) return outputs[0]!;
  return checkpoint.kickoffs.map((k, i) => `## Run ${i + 1} (${describeInputs(k.inputs)})\n\n${outputs[i]}`).join('\n\n');
}

export function frameworkState(checkpoint: CrewCheckpoint, crew: CrewDefinition): Record<string, unknown> {
  const kickoffs = checkpoint.kickoffs.map((k) => ({
    inputs: k.inputs,
    ...(k.plans ? { plans: k.plans } : {}),
    tasks: crew.tasks.map((t) => k.outputs[t.name]).filter((o) => o !== undefined),
    output: k.output,
  }));
  return {
    engine: 'crewai',
    crew: crew.name ?? checkpoint.template ?? 'custom',
    template: checkpoint.template,
    process: crew.process,
    agents: crew.agents.map((a) => a.role),
    ...(kickoffs.length === 1 ? kickoffs[0] : { kickoffs }),
    usage: checkpoint.usage,
  };
}

function describeInputs(inputs: KickoffInputs): string {
  return Object.entries(inputs)
    .filter(([key]) => key !== 'input')
    .map(([key, value]) => `${key}=${String(value)}`)
    .join(', ') || 'input';
}
