import type { TimelineEvent } from '../timeline/event-timeline.ts';

export interface CrewTask {
  name: string;
  agent: string | null;
  state: 'running' | 'done' | 'waiting';
}

export interface CrewStructure {
  agents: string[];
  tasks: CrewTask[];
  delegations: Array<{ from: string; to: string; task: string | null; count: number }>;
}

const dataOf = (e: TimelineEvent): Record<string, unknown> => (e.data && typeof e.data === 'object' ? (e.data as Record<string, unknown>) : {});
const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

/** A crew's agents, its tasks in the order they started (with who performs them) and its delegations, from the run's events. */
export function crewStructure(events: readonly TimelineEvent[]): CrewStructure {
  const agents: string[] = [];
  const addAgent = (name: string | null) => {
    if (name && !agents.includes(name)) agents.push(name);
  };
  const tasks = new Map<string, CrewTask>();
  const delegations = new Map<string, { from: string; to: string; task: string | null; count: number }>();
  for (const e of events) {
    const data = dataOf(e);
    const task = text(e.step) ?? text(data['task']);
    if (e.type === 'TASK_STARTED' && task) {
      addAgent(text(e.agent));
      tasks.set(task, { name: task, agent: text(e.agent) ?? tasks.get(task)?.agent ?? null, state: 'running' });
    } else if (e.type === 'TASK_COMPLETED' && task) {
      addAgent(text(e.agent));
      tasks.set(task, { name: task, agent: text(e.agent) ?? tasks.get(task)?.agent ?? null, state: 'done' });
    } else if (e.type === 'WAITING_FOR_INPUT' && task && tasks.has(task)) {
      tasks.set(task, { ...tasks.get(task)!, state: 'waiting' });
    } else if (e.type === 'DELEGATION') {
      const from = text(data['from']) ?? text(e.agent);
      const to = text(data['to']);
      if (!from || !to) continue;
      addAgent(from);
      addAgent(to);
      const key = `${from}\u0000${to}\u0000${task ?? ''}`;
      const known = delegations.get(key);
      delegations.set(key, { from, to, task, count: (known?.count ?? 0) + 1 });
    } else if (e.type === 'AGENT_MESSAGE') {
      addAgent(text(e.agent));
    }
  }
  return { agents, tasks: [...tasks.values()], delegations: [...delegations.values()] };
}

export interface ChatStructure {
  /** Participants in the order they first appeared. */
  speakers: Array<{ name: string; messages: number }>;
  /** Who spoke, turn by turn. */
  turns: string[];
  /** The participant chosen to speak next and not yet spoken. */
  next: string | null;
}

/** A group chat's speakers and turns, from AGENT_MESSAGE and SPEAKER_SELECTED events. */
export function chatStructure(events: readonly TimelineEvent[]): ChatStructure {
  const counts = new Map<string, number>();
  const turns: string[] = [];
  let next: string | null = null;
  for (const e of events) {
    const agent = text(e.agent);
    if (!agent) continue;
    if (e.type === 'SPEAKER_SELECTED') {
      if (!counts.has(agent)) counts.set(agent, 0);
      next = agent;
    } else if (e.type === 'AGENT_MESSAGE') {
      counts.set(agent, (counts.get(agent) ?? 0) + 1);
      turns.push(agent);
      if (next === agent) next = null;
    }
  }
  return { speakers: [...counts.entries()].map(([name, messages]) => ({ name, messages })), turns, next };
}
