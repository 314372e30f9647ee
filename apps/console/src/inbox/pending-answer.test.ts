import { describe, expect, it } from 'vitest';
import { pendingQuestion } from './pending-answer.ts';

describe('pending questions', () => {
  it('LangGraph human nodes: approve and reject answer {"approved": ...}, with the values the node shows', () => {
    const q = pendingQuestion({
      kind: 'human',
      node: 'adjuster_review',
      prompt: 'Claim #12345 asks for $40000. Approve it?',
      context: { claimNumber: '12345', amount: 40000 },
      answerSchema: { type: 'object', properties: { approved: { type: 'boolean' }, note: { type: 'string' } } },
    });
    expect(q).toMatchObject({ engine: 'langgraph', where: 'adjuster_review', context: { amount: 40000 }, approve: { approved: true } });
    expect(q.reject!('too high')).toEqual({ approved: false, note: 'too high' });
    expect(q.reject!('')).toEqual({ approved: false });
    expect(JSON.parse(q.editTemplate)).toEqual({ approved: true, note: '' });
  });

  it('a human node asking for something else offers no approve button', () => {
    const q = pendingQuestion({ kind: 'human', node: 'ask', prompt: 'Which region?', answerSchema: { type: 'object', properties: { region: { type: 'string' } } } });
    expect(q.approve).toBeNull();
    expect(q.reject).toBeNull();
  });

  it('CrewAI reviews approve with "approved" and reject with feedback for the agent', () => {
    const q = pendingQuestion({ task: 'strategy', agent: 'Content Strategist', question: 'Review the output of task "strategy".' });
    expect(q).toMatchObject({ engine: 'crew', where: 'strategy (Content Strategist)', approve: 'approved' });
    expect(q.reject!('Aim it at people living in flats.')).toBe('Aim it at people living in flats.');
  });

  it('AutoGen user proxies get a message', () => {
    const q = pendingQuestion({ agent: 'person', question: 'Does that answer it?', from: 'assistant', prompt: 'assistant is waiting for your reply' });
    expect(q).toMatchObject({ engine: 'chat', prompt: 'Does that answer it?', approve: { message: 'APPROVE' } });
    expect(q.reject!('No.')).toEqual({ message: 'No.' });
  });
});
