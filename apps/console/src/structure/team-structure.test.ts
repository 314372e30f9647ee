import { describe, expect, it } from 'vitest';
import { chatStructure, crewStructure } from './team-structure.ts';

describe('crew structure', () => {
  it('lists agents, tasks with performers and state, and delegations counted', () => {
    const crew = crewStructure([
      { sequence: 1, type: 'TASK_STARTED', step: 'research', agent: 'Researcher' },
      { sequence: 2, type: 'DELEGATION', step: 'research', agent: 'Researcher', data: { from: 'Researcher', to: 'Analyst', task: 'research' } },
      { sequence: 3, type: 'DELEGATION', step: 'research', agent: 'Researcher', data: { from: 'Researcher', to: 'Analyst', task: 'research' } },
      { sequence: 4, type: 'TASK_COMPLETED', step: 'research', agent: 'Researcher' },
      { sequence: 5, type: 'TASK_STARTED', step: 'report', agent: 'Writer' },
      { sequence: 6, type: 'WAITING_FOR_INPUT', step: 'report' },
    ]);
    expect(crew.agents).toEqual(['Researcher', 'Analyst', 'Writer']);
    expect(crew.tasks).toEqual([
      { name: 'research', agent: 'Researcher', state: 'done' },
      { name: 'report', agent: 'Writer', state: 'waiting' },
    ]);
    expect(crew.delegations).toEqual([{ from: 'Researcher', to: 'Analyst', task: 'research', count: 2 }]);
  });
});

describe('group chat structure', () => {
  it('counts messages per speaker in order of appearance and knows who speaks next', () => {
    const chat = chatStructure([
      { sequence: 1, type: 'AGENT_MESSAGE', agent: 'user' },
      { sequence: 2, type: 'SPEAKER_SELECTED', agent: 'coder' },
      { sequence: 3, type: 'AGENT_MESSAGE', agent: 'coder' },
      { sequence: 4, type: 'SPEAKER_SELECTED', agent: 'critic' },
    ]);
    expect(chat.speakers).toEqual([
      { name: 'user', messages: 1 },
      { name: 'coder', messages: 1 },
      { name: 'critic', messages: 0 },
    ]);
    expect(chat.turns).toEqual(['user', 'coder']);
    expect(chat.next).toBe('critic');
  });
});
