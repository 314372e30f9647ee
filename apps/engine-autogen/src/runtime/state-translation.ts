import type { UniversalAgentState } from '@switchyard/contracts';
import type { TeamSpec } from '../definition/team-definition.ts';
import type { GroupChatDoc } from '../chat/chat-state-store.ts';

const MAX_REPORTED_MESSAGES = 100;
const MAX_REPORTED_CHARS = 4000;

/** The one place where the universal state becomes this engine's native group chat, and back. */
export function toNativeState(state: UniversalAgentState, team: TeamSpec, template: string | null): GroupChatDoc {
  const now = new Date().toISOString();
  return {
    id: state.workflowId,
    tenantId: state.tenantId,
    team,
    template,
    thread: [{ source: 'user', kind: 'task', content: state.userInput, at: now }],
    turn: 0,
    previousSpeaker: null,
    nextSpeaker: null,
    waitingFor: null,
    usageByAgent: {},
    elapsedMs: 0,
    status: 'running',
    stopReason: null,
    updatedAt: now,
  };
}

/**
 * The chat's answer (the last assistant's message, without the termination keyword) and the
 * framework state the orchestrator keeps: the team, the thread, why it stopped, usage per agent.
 */
export function fromNativeState(doc: GroupChatDoc): { output: string; frameworkState: Record<string, unknown> } {
  const assistants = new Set(doc.team.participants.filter((p) => p.type === 'assistant').map((p) => p.name));
  const answer = [...doc.thread].reverse().find((m) => assistants.has(m.source) && m.kind === 'text' && m.content.trim()) ?? doc.thread.at(-1)!;
  const output = answer.content.replace(/\s*\bTERMINATE\b\s*$/, '').trim();
  const totals = Object.values(doc.usageByAgent).reduce((sum, u) => ({ input: sum.input + u.input, output: sum.output + u.output, cached: sum.cached + u.cached, calls: sum.calls + u.calls }), { input: 0, output: 0, cached: 0, calls: 0 });
  return {
    output,
    frameworkState: {
      team: doc.team.type,
      template: doc.template,
      participants: doc.team.participants.map((p) => ({ name: p.name, type: p.type })),
      turns: doc.turn,
      stopReason: doc.stopReason,
      messageCount: doc.thread.length,
      messages: doc.thread.slice(-MAX_REPORTED_MESSAGES).map((m) => ({
        source: m.source,
        kind: m.kind,
        content: m.content.length > MAX_REPORTED_CHARS ? `${m.content.slice(0, MAX_REPORTED_CHARS)}…` : m.content,
        ...(m.target ? { target: m.target } : {}),
      })),
      usageByAgent: doc.usageByAgent,
      usage: totals,
    },
  };
}
