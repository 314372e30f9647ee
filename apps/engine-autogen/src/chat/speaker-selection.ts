import type { SelectorSpec, TeamSpec } from '../definition/team-definition.ts';
import type { ModelCaller } from '../runtime/model-calls.ts';
import type { ChatMessage as LlmMessage } from '@switchyard/llm';
import type { ChatMessage } from './chat-message.ts';

/** AutoGen's default selector prompt. */
export const DEFAULT_SELECTOR_PROMPT = `You are in a role play game. The following roles are available:
{roles}.
Read the following conversation. Then select the next role from {participants} to play. Only return the role.

{history}

Read the above conversation. Then select the next role from {participants} to play. Only return the role.
`;

/** Who speaks next and how that was decided (reported in SPEAKER_SELECTED). */
export interface SpeakerChoice {
  speaker: string;
  method: 'round_robin' | 'model' | 'only_candidate' | 'fallback' | 'handoff' | 'initial';
  attempts: number;
  candidates?: string[];
}

/** The last agent (not the task) that spoke. */
export function lastSpeaker(thread: readonly ChatMessage[]): string | null {
  for (let i = thread.length - 1; i >= 0; i--) if (thread[i]!.kind !== 'task') return thread[i]!.source;
  return null;
}

/** RoundRobinGroupChat: participants in order, starting with the first, continuing after whoever spoke last. */
export function selectRoundRobin(team: TeamSpec, thread: readonly ChatMessage[]): SpeakerChoice {
  const names = team.participants.map((p) => p.name);
  const last = lastSpeaker(thread);
  const index = last === null ? -1 : names.indexOf(last);
  return { speaker: names[(index + 1) % names.length]!, method: 'round_robin', attempts: 0 };
}

/**
 * Swarm: the target of the latest handoff speaks; without one, the current speaker (the first
 * participant at the start) goes on. "user" as a target means the person.
 */
export function selectSwarm(team: TeamSpec, thread: readonly ChatMessage[]): SpeakerChoice {
  for (let i = thread.length - 1; i >= 0; i--) {
    const message = thread[i]!;
    if (message.kind === 'handoff' && message.target) return { speaker: message.target, method: 'handoff', attempts: 0 };
  }
  return { speaker: team.participants[0]!.name, method: 'initial', attempts: 0 };
}

/**
 * SelectorGroupChat: the candidate filter (or everyone but the previous speaker unless repeats are
 * allowed) narrows the choice; one candidate is taken as is; otherwise the model is shown the roles,
 * the candidates and the history and must name exactly one. A bad answer gets AutoGen's feedback and
 * another attempt, up to maxSelectorAttempts; then the previous speaker (or the first candidate) speaks.
 */
export async function selectWithModel(team: TeamSpec, thread: readonly ChatMessage[], previousSpeaker: string | null, callModel: ModelCaller): Promise<SpeakerChoice> {
  const selector: SelectorSpec = team.selector ?? { allowRepeatedSpeaker: false, maxSelectorAttempts: 3 };
  const names = team.participants.map((p) => p.name);
  const filter = selector.candidates;
  let candidates: string[];
  if (filter && previousSpeaker === null && filter.initial) candidates = filter.initial;
  else if (filter && previousSpeaker !== null && filter.after[previousSpeaker]) candidates = filter.after[previousSpeaker]!;
  else candidates = previousSpeaker !== null && !selector.allowRepeatedSpeaker ? names.filter((n) => n !== previousSpeaker) : names;
  if (candidates.length === 1) return { speaker: candidates[0]!, method: 'only_candidate', attempts: 0, candidates };

  const roles = team.participants.map((p) => `${p.name}: ${(p.description ?? '').replace(/\s+/g, ' ')}`.trim()).join('\n');
  const history = thread.map((m) => `${m.source}: ${m.content}`.trimEnd() + '\n').join('\n');
  const participantList = `[${candidates.map((c) => `'${c}'`).join(', ')}]`;
  const prompt = (selector.prompt ?? DEFAULT_SELECTOR_PROMPT).replaceAll('{roles}', roles).replaceAll('{participants}', participantList).replaceAll('{history}', history);
  const messages: LlmMessage[] = [{ role: 'system', content: prompt }];

  for (let attempt = 1; attempt <= selector.maxSelectorAttempts; attempt++) {
    const result = await callModel('selector', { model: selector.model, messages });
    const answer = result.content ?? '';
    messages.push({ role: 'assistant', content: answer });
    // Mentions are counted over every participant, so a pick outside the candidates is caught too.
    const mentioned = mentionedAgents(answer, names);
    let feedback: string | undefined;
    if (mentioned.length === 0) feedback = `No valid name was mentioned. Please select from: ${participantList}.`;
    else if (mentioned.length > 1) feedback = `Expected exactly one name to be mentioned. Please select only one from: ${participantList}.`;
    else if (!selector.allowRepeatedSpeaker && mentioned[0] === previousSpeaker) feedback = `Repeated speaker is not allowed, please select a different name from: ${participantList}.`;
    else if (!candidates.includes(mentioned[0]!)) feedback = `${mentioned[0]} may not speak now. Please select one from: ${participantList}.`;
    if (!feedback) return { speaker: mentioned[0]!, method: 'model', attempts: attempt, candidates };
    messages.push({ role: 'user', content: feedback });
  }
  return { speaker: previousSpeaker ?? candidates[0]!, method: 'fallback', attempts: selector.maxSelectorAttempts, candidates };
}

/**
 * The participants an answer names, as AutoGen counts mentions: whole words, case-sensitive, with
 * "Story_writer" also matching "Story writer" and "Story\_writer".
 */
export function mentionedAgents(text: string, names: string[]): string[] {
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const padded = ` ${text} `;
  return names.filter((name) => {
    const variants = [name, name.replaceAll('_', ' '), name.replaceAll('_', '\\_')].map(escape).join('|');
    return new RegExp(`(?<=\\W)(?:${variants})(?=\\W)`).test(padded);
  });
}
