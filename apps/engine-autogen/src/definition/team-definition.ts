import { z } from 'zod';
import { TerminationSpec, referencedNames } from './termination-spec.ts';

const agentName = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, 'must start with a letter and hold only letters, digits, "_" or "-" (at most 64)');

const base = {
  name: agentName,
  /** What the agent does; the selector shows it to the model when picking the next speaker. */
  description: z.string().max(1000).optional(),
};

export const AssistantSpec = z.strictObject({
  ...base,
  type: z.literal('assistant'),
  systemMessage: z.string().max(20_000).optional(),
  /** Names of tools from the tenant's registry (libs/tools), e.g. calculator. */
  tools: z.array(z.string()).default([]),
  /**
   * Agents this one may hand off to, offered to the model as `transfer_to_<agent>` tools; "user"
   * hands the conversation to the person (the chat waits for input, as an AutoGen swarm does).
   */
  handoffs: z.array(agentName).default([]),
  /** After tools ran, call the model once more to turn the results into an answer. */
  reflectOnToolUse: z.boolean().default(false),
  /** Model calls that may request tools within one turn. */
  maxToolIterations: z.number().int().min(1).max(20).default(1),
  model: z.string().optional(),
});

export const UserProxySpec = z.strictObject({ ...base, type: z.literal('user_proxy') });

export const CodeExecutorSpec = z.strictObject({
  ...base,
  type: z.literal('code_executor'),
  /** Only run code from these agents' messages; all agents when absent. */
  sources: z.array(agentName).optional(),
});

export const ParticipantSpec = z.discriminatedUnion('type', [AssistantSpec, UserProxySpec, CodeExecutorSpec]);
export type ParticipantSpec = z.infer<typeof ParticipantSpec>;
export type AssistantSpec = z.infer<typeof AssistantSpec>;

export const SelectorSpec = z.strictObject({
  /** Prompt template with {roles}, {participants} and {history}; AutoGen's default when absent. */
  prompt: z.string().optional(),
  allowRepeatedSpeaker: z.boolean().default(false),
  maxSelectorAttempts: z.number().int().min(1).max(10).default(3),
  /**
   * The candidate filter (AutoGen's candidate_func, declared): who may be picked first, and after
   * each speaker. A single candidate is chosen without asking the model.
   */
  candidates: z.strictObject({ initial: z.array(agentName).min(1).optional(), after: z.record(agentName, z.array(agentName).min(1)).default({}) }).optional(),
  model: z.string().optional(),
});
export type SelectorSpec = z.infer<typeof SelectorSpec>;

export const TeamSpec = z.strictObject({
  type: z.enum(['round_robin', 'selector', 'swarm']),
  participants: z.array(ParticipantSpec).min(1).max(20),
  termination: TerminationSpec.optional(),
  /** Agent turns before the chat stops, whatever the termination condition says. */
  maxTurns: z.number().int().min(1).max(500).default(30),
  selector: SelectorSpec.optional(),
});
export type TeamSpec = z.infer<typeof TeamSpec>;

/** What a workflow's definition may hold: a whole team, or a template with a few overrides. */
export const TeamDefinitionInput = z.union([
  z.strictObject({ template: z.string(), termination: TerminationSpec.optional(), maxTurns: z.number().int().min(1).max(500).optional() }),
  TeamSpec,
]);

/** Checks that the schema cannot express: unique names and references to existing agents. */
export function teamProblems(team: TeamSpec, toolNames: readonly string[], path = 'definition'): string[] {
  const problems: string[] = [];
  const names = new Set<string>();
  team.participants.forEach((p, i) => {
    if (names.has(p.name)) problems.push(`${path}.participants[${i}].name: duplicate`);
    if (p.name === 'user' && p.type !== 'user_proxy') problems.push(`${path}.participants[${i}].name: "user" is the task's source; pick another name`);
    names.add(p.name);
  });
  const known = (name: string) => names.has(name);
  team.participants.forEach((p, i) => {
    if (p.type === 'assistant') {
      p.tools.forEach((tool, j) => {
        if (!toolNames.includes(tool)) problems.push(`${path}.participants[${i}].tools[${j}]: unknown or disabled tool "${tool}" (available to this tenant: ${toolNames.join(', ') || 'none'})`);
      });
      p.handoffs.forEach((target, j) => {
        if (target === 'user') return;
        if (!known(target)) problems.push(`${path}.participants[${i}].handoffs[${j}]: no participant named "${target}"`);
        else if (target === p.name) problems.push(`${path}.participants[${i}].handoffs[${j}]: an agent cannot hand off to itself`);
      });
    }
    if (p.type === 'code_executor') {
      (p.sources ?? []).forEach((source, j) => {
        if (!known(source)) problems.push(`${path}.participants[${i}].sources[${j}]: no participant named "${source}"`);
      });
    }
  });
  if (team.termination) {
    for (const ref of referencedNames(team.termination, `${path}.termination`)) {
      if (!known(ref.name) && ref.name !== 'user') problems.push(`${ref.path}: no participant named "${ref.name}"`);
    }
  }
  if (team.type === 'selector') {
    if (team.participants.length < 2) problems.push(`${path}.participants: a selector team needs at least two participants`);
    const prompt = team.selector?.prompt;
    if (prompt !== undefined) {
      for (const field of ['{participants}', '{history}']) if (!prompt.includes(field)) problems.push(`${path}.selector.prompt: must contain ${field}`);
    }
    const candidates = team.selector?.candidates;
    candidates?.initial?.forEach((name, j) => {
      if (!known(name)) problems.push(`${path}.selector.candidates.initial[${j}]: no participant named "${name}"`);
    });
    for (const [after, list] of Object.entries(candidates?.after ?? {})) {
      if (!known(after)) problems.push(`${path}.selector.candidates.after.${after}: no participant named "${after}"`);
      list.forEach((name, j) => {
        if (!known(name)) problems.push(`${path}.selector.candidates.after.${after}[${j}]: no participant named "${name}"`);
      });
    }
  } else if (team.selector) {
    problems.push(`${path}.selector: only a selector team has a selector`);
  }
  if (team.type === 'swarm') {
    const first = team.participants[0]!;
    if (first.type !== 'assistant' || first.handoffs.length === 0) problems.push(`${path}.participants[0]: the first participant of a swarm must be an assistant with handoffs`);
  }
  return problems;
}

/** zod issues as `definition.a[0].b: message` lines. */
export function formatIssues(error: z.ZodError, path = 'definition'): string[] {
  return error.issues.map((issue) => {
    const where = issue.path.reduce<string>((acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : `${acc}.${String(key)}`), path);
    return `${where}: ${issue.message}`;
  });
}
