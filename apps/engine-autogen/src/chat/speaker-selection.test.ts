import { describe, expect, it } from 'vitest';
import { mentionedAgents } from './speaker-selection.ts';

describe('mentionedAgents', () => {
  it('matches whole names, with underscores also as spaces or escaped', () => {
    const names = ['Story_writer', 'editor', 'edit'];
    expect(mentionedAgents('Story_writer', names)).toEqual(['Story_writer']);
    expect(mentionedAgents('I pick Story writer.', names)).toEqual(['Story_writer']);
    expect(mentionedAgents('Story\\_writer', names)).toEqual(['Story_writer']);
    expect(mentionedAgents('editor', names)).toEqual(['editor']);
    expect(mentionedAgents('editor or edit', names)).toEqual(['editor', 'edit']);
    expect(mentionedAgents('Editor', names)).toEqual([]);
  });
});
