import { describe, expect, it } from 'vitest';
import { createLlmClient } from '@switchyard/llm';
import { SqliteStore } from '@switchyard/store';
import { crewDefinitionJsonSchema } from './crew-definition.ts';
import { resolveCrewDefinition } from './definition-resolver.ts';
import { pickTemplate, TEMPLATE_NAMES } from './templates.ts';
import { CrewAIEngine } from '../runtime/crewai-engine.ts';
import { runCrew } from '../testing/crew-test-kit.ts';

const tools = ['calculator', 'current_time'];
const agents = [
  { role: 'Writer', goal: 'Write', backstory: 'A writer.' },
  { role: 'Reviewer', goal: 'Review', backstory: 'A reviewer.' },
];
const errorOf = (definition: unknown) => {
  const resolved = resolveCrewDefinition(definition, 'x', tools);
  return resolved.ok ? undefined : resolved.message;
};

describe('crew definitions', () => {
  it('names the bad path of an invalid definition', () => {
    const tasks = [
      { name: 'draft', description: 'Draft', expectedOutput: 'A draft', agent: 'Writer' },
      { name: 'edit', description: 'Edit', expectedOutput: 'Final text', agent: 'editor', context: ['review'] },
    ];
    const message = errorOf({ agents, tasks });
    expect(message).toContain('definition.tasks[1].agent: no agent with role "editor"; roles: Writer, Reviewer');
    expect(message).toContain('definition.tasks[1].context[0]: no earlier task named "review"');
    expect(errorOf({ agents: [{ ...agents[0], tools: ['web_search'] }], tasks: [tasks[0]] })).toBe('definition.agents[0].tools[0]: unknown tool "web_search"; available: calculator, current_time');
    expect(errorOf({ agents, tasks: [{ ...tasks[0], guardrails: ['min_length:lots'] }] })).toBe('definition.tasks[0].guardrails[0]: min_length needs a whole number, e.g. min_length:200');
    expect(errorOf({ agents, tasks: [{ ...tasks[0], agent: undefined }] })).toBe('definition.tasks[0].agent: required in a sequential crew (the role of the agent doing the task)');
    expect(errorOf({ agents, tasks: [{ ...tasks[0], colour: 'blue' }] })).toMatch(/^definition\.tasks\[0\]: Unrecognized key: "colour"/);
    expect(errorOf({ agents, tasks, process: 'parallel' })).toMatch(/^definition\.process: Invalid option/);
    expect(errorOf({ template: 'pirate-crew' })).toBe('definition.template: unknown template "pirate-crew"; available: market-research, content-team, due-diligence');
    expect(errorOf([1, 2])).toBe('definition: must be a JSON object (a crew, or {"template": "<name>"})');
  });

  it('accepts a template with fields replacing its own, and names tasks that have no name', () => {
    const resolved = resolveCrewDefinition({ template: 'content-team', planning: true }, 'x', tools);
    expect(resolved).toMatchObject({ ok: true, template: 'content-team', crew: { planning: true, process: 'sequential' } });
    const custom = resolveCrewDefinition({ agents, tasks: [{ description: 'Draft', expectedOutput: 'A draft', agent: 'Writer' }] }, 'x', tools);
    expect(custom.ok && custom.crew.tasks[0]!.name).toBe('task-1');
    expect(custom.ok && custom.crew.agents[0]).toMatchObject({ maxIter: 15, toolCalling: 'native', allowDelegation: false, tools: [] });
  });

  it('picks a fitting template from the input when there is no definition', () => {
    expect(pickTemplate('Research competitors and write a market analysis')).toBe('market-research');
    expect(pickTemplate('Write a blog post and a newsletter about our launch')).toBe('content-team');
    expect(pickTemplate('Due diligence on the acquisition of Acme GmbH')).toBe('due-diligence');
    expect(pickTemplate('Help me with something')).toBe('market-research');
    expect(resolveCrewDefinition(null, 'Draft a blog article on tea', tools)).toMatchObject({ ok: true, template: 'content-team' });
  });

  it('validates every built-in template', () => {
    for (const template of TEMPLATE_NAMES) expect(resolveCrewDefinition({ template }, 'x', tools).ok).toBe(true);
  });

  it('publishes the definition language as JSON Schema', () => {
    const schema = crewDefinitionJsonSchema() as { properties: Record<string, { items?: { properties?: Record<string, unknown> } }> };
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['process', 'agents', 'tasks', 'manager', 'planning', 'inputs', 'template']));
    expect(Object.keys(schema.properties['tasks']!.items!.properties!)).toEqual(expect.arrayContaining(['description', 'expectedOutput', 'agent', 'context', 'asyncExecution', 'outputJsonSchema', 'guardrails', 'humanInput']));
  });

  it('fails a workflow with a bad definition at once, with code BAD_DEFINITION and no model call', async () => {
    // Nothing listens on this port: any model call would fail the test with a connection error instead.
    const engine = new CrewAIEngine(createLlmClient({ provider: 'openai-compatible', baseUrl: 'http://127.0.0.1:9/v1', maxRetries: 0 }), new SqliteStore({ filename: ':memory:' }));
    const started = Date.now();
    const { result, events } = await runCrew(engine, {
      workflowId: 'bad',
      input: 'x',
      definition: { agents, tasks: [{ name: 'a', description: 'A', expectedOutput: 'B', agent: 'Writer' }, { description: 'C', expectedOutput: 'D', agent: 'editor' }] },
    });
    expect(result).toEqual({ status: 'FAILED', code: 'BAD_DEFINITION', error: 'Invalid crew definition: definition.tasks[1].agent: no agent with role "editor"; roles: Writer, Reviewer' });
    expect(events).toEqual([]);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
