import { describe, expect, it } from 'vitest';
import { GRAPH_TEMPLATES } from '../graphs/templates/index.ts';
import { InvalidGraphDefinitionError, checkGraphDefinition } from './definition-checks.ts';
import { graphDefinitionJsonSchema } from './graph-definition.ts';

const tools = ['calculator', 'current_time', 'filter_list'];

function problemsOf(definition: unknown): string[] {
  try {
    checkGraphDefinition(definition, { tools });
  } catch (error) {
    if (error instanceof InvalidGraphDefinitionError) return error.problems;
    throw error;
  }
  return [];
}

const review = (extra: Record<string, unknown> = {}, state: Record<string, unknown> = { draft: {}, decision: {} }) => ({
  state,
  entry: 'write',
  nodes: {
    write: { kind: 'model', prompt: 'Draft a reply to {{input}}', writeTo: 'draft', next: 'review' },
    review: { kind: 'human', prompt: 'Approve {{draft}}?', writeTo: 'decision', next: 'approve' },
    approve: { kind: 'set', values: { draft: 'ok' }, next: 'END' },
    ...extra,
  },
});

describe('checkGraphDefinition', () => {
  it('refuses state keys and node names that every JavaScript object already has', () => {
    const graph = { state: { constructor: { reducer: 'replace' } }, entry: 'toString', nodes: { toString: { kind: 'model', prompt: '{{input}}', next: 'END' } } };
    const problems = problemsOf(graph);
    expect(problems.some((p) => p.includes('"constructor" is a reserved name'))).toBe(true);
    expect(problems.some((p) => p.includes('"toString" is a reserved name'))).toBe(true);
  });

  it('accepts every built-in template', () => {
    for (const template of Object.values(GRAPH_TEMPLATES)) expect(problemsOf(template)).toEqual([]);
  });

  it('names a missing edge target with its path', () => {
    const definition = review();
    definition.nodes.review.next = 'aprove';
    expect(problemsOf(definition)).toEqual(['definition.nodes.review.next: no node named "aprove" (did you mean "approve"?)']);
  });

  it('rejects unknown node kinds', () => {
    expect(problemsOf(review({ approve: { kind: 'aproval', next: 'END' } }))).toEqual([
      'definition.nodes.approve.kind: unknown node kind "aproval"; use one of model, tool, router, human, fanout, workflow, set',
    ]);
  });

  it('rejects a node with no way on', () => {
    expect(problemsOf(review({ approve: { kind: 'set', values: { draft: 'ok' } } }))).toEqual([
      'definition.nodes.approve.next: missing; name the node that comes next, or "END" (or list the node under definition.finish)',
    ]);
  });

  it('rejects a node named like a state key (LangGraph shares one namespace)', () => {
    expect(problemsOf(review({}, { draft: {}, decision: {}, approve: {} }))).toEqual([
      'definition.nodes.approve: a node cannot have the name of the state key "approve"; rename one of them',
    ]);
  });

  it('rejects unreachable nodes', () => {
    expect(problemsOf(review({ archive: { kind: 'set', values: { draft: 'x' }, next: 'END' } }))).toEqual([
      'definition.nodes.archive: unreachable from the entry "write"; connect it or remove it',
    ]);
  });

  it('rejects a cycle without an exit but accepts one a router can leave', () => {
    const loop = {
      state: { count: { reducer: 'sum' } },
      entry: 'start',
      nodes: {
        start: { kind: 'set', values: { count: 1 }, next: 'a' },
        a: { kind: 'set', values: { count: 1 }, next: 'b' },
        b: { kind: 'tool', tool: 'calculator', args: { expression: '{{count}} * 2' }, writeTo: 'count', next: 'a' },
      },
    };
    expect(problemsOf(loop)).toEqual([
      'definition.nodes: the cycle a → b → a has no exit, so the run could never finish; add a router branch or an edge out of it',
    ]);
    const withExit = structuredClone(loop) as typeof loop & { nodes: Record<string, unknown> };
    withExit.nodes.b = { ...loop.nodes.b, next: 'check' };
    withExit.nodes['check'] = { kind: 'router', routes: [{ when: { key: 'count', op: 'gt', value: 10 }, to: 'END' }], default: 'a' };
    expect(problemsOf(withExit)).toEqual([]);
  });

  it('rejects placeholders and writes that name undeclared state keys, and unknown tools', () => {
    const definition = review({
      approve: { kind: 'tool', tool: 'calc', args: { expression: '{{amout}} + 1' }, writeTo: 'total', next: 'END' },
    });
    expect(problemsOf(definition)).toEqual([
      'definition.nodes.approve.args.expression: {{amout}} is not a state key; declare it under definition.state',
      'definition.nodes.approve.writeTo: writes "total", which is not a state key; declare it under definition.state',
      'definition.nodes.approve.tool: no tool named "calc" among the enabled tools of this tenant: calculator, current_time, filter_list',
    ]);
  });

  it('requires fan-out workers to write channels that combine parallel writes', () => {
    const definition = {
      state: { items: { default: [1, 2] }, results: { reducer: 'replace' } },
      entry: 'fan',
      nodes: {
        fan: { kind: 'fanout', over: 'items', to: 'work', join: 'END' },
        work: { kind: 'model', prompt: 'Item {{index}}: {{item}}', writeTo: 'results' },
      },
    };
    expect(problemsOf(definition)).toEqual([
      'definition.nodes.work.writeTo: every fan-out worker writes "results" at once; give definition.state.results the reducer "append", "sum" or "merge"',
    ]);
  });

  it('reports schema problems with their path', () => {
    expect(problemsOf({ entry: 'a', nodes: { a: { kind: 'model', prompt: '', next: 'END', colour: 'red' } } })).toEqual([
      'definition.nodes.a.prompt: Too small: expected string to have >=1 characters',
      'definition.nodes.a: Unrecognized key: "colour"',
    ]);
  });

  it('publishes a JSON Schema of the language', () => {
    const schema = graphDefinitionJsonSchema() as { properties: Record<string, unknown>; required: string[] };
    expect(schema.required).toEqual(expect.arrayContaining(['nodes', 'entry']));
    expect(JSON.stringify(schema.properties['nodes'])).toContain('"fanout"');
  });
});
