import { describe, expect, it } from 'vitest';
import { resolveDefinition } from './resolve-definition.ts';
import { pickTemplate } from './templates.ts';

describe('team definitions', () => {
  it('accepts every template and a template with overrides', () => {
    for (const template of ['code-assistant', 'debate', 'research-chat']) expect(resolveDefinition({ template }, '').ok).toBe(true);
    const resolved = resolveDefinition({ template: 'code-assistant', maxTurns: 4, termination: { maxMessages: 3 } }, '');
    expect(resolved.ok && resolved.team.maxTurns).toBe(4);
    expect(resolved.ok && resolved.team.termination).toEqual({ maxMessages: 3 });
  });

  it('names the path of each problem', () => {
    const team = {
      type: 'selector',
      participants: [
        { type: 'assistant', name: 'a', handoffs: ['ghost'], tools: ['calculator', 'teleport'] },
        { type: 'assistant', name: 'b' },
        { type: 'assistant', name: 'a' },
      ],
      termination: { or: [{ sourceMatch: ['nobody'] }, { maxMessages: 5 }] },
    };
    const resolved = resolveDefinition(team, '');
    expect(resolved.ok).toBe(false);
    expect(!resolved.ok && resolved.problems).toEqual([
      'definition.participants[2].name: duplicate',
      'definition.participants[0].tools[1]: unknown or disabled tool "teleport" (available to this tenant: calculator, current_time, word_count, knowledge_search, run_code)',
      'definition.participants[0].handoffs[0]: no participant named "ghost"',
      'definition.termination.or[0].sourceMatch[0]: no participant named "nobody"',
    ]);
  });

  it('reports schema errors with their path', () => {
    const resolved = resolveDefinition({ type: 'round_robin', participants: [{ type: 'robot', name: 'r2' }] }, '');
    expect(!resolved.ok && resolved.problems.join('\n')).toMatch(/^definition\.participants\[0\]\.type: /m);
    const badName = resolveDefinition({ type: 'round_robin', participants: [{ type: 'assistant', name: 'has space' }] }, '');
    expect(!badName.ok && badName.problems[0]).toMatch(/^definition\.participants\[0\]\.name: must start with a letter/);
    const unknown = resolveDefinition({ template: 'poetry-slam' }, '');
    expect(!unknown.ok && unknown.problems).toEqual(['definition.template: unknown template "poetry-slam" (available: code-assistant, debate, research-chat)']);
  });

  it('requires a swarm to start with an assistant that can hand off', () => {
    const resolved = resolveDefinition({ type: 'swarm', participants: [{ type: 'assistant', name: 'a' }, { type: 'assistant', name: 'b' }] }, '');
    expect(!resolved.ok && resolved.problems).toEqual(['definition.participants[0]: the first participant of a swarm must be an assistant with handoffs']);
  });

  it('picks a template from the input when there is no definition', () => {
    expect(pickTemplate('Write a Python script that parses a CSV')).toBe('code-assistant');
    expect(pickTemplate('Debate whether remote work beats the office')).toBe('debate');
    expect(pickTemplate('Research the history of tea and answer my follow-up questions')).toBe('research-chat');
    expect(pickTemplate('Hello there')).toBe('code-assistant');
    const resolved = resolveDefinition(null, 'Debate the motion: cats are better than dogs');
    expect(resolved.ok && resolved.template).toBe('debate');
  });
});
