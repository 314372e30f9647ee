import { describe, expect, it } from 'vitest';
import { DEFAULT_HYBRID, parseHybridDefinition, stageApplies, stageInput } from './hybrid-plan.ts';

const stages = (...inputs: string[]) => ({ stages: inputs.map((input, i) => ({ name: ['plan', 'research', 'write'][i]!, framework: 'LANGGRAPH', input })) });

describe('hybrid definitions', () => {
  it('accepts the default flow and placeholders naming the input or an earlier stage', () => {
    expect(parseHybridDefinition(DEFAULT_HYBRID)).toEqual(DEFAULT_HYBRID);
    expect(() => parseHybridDefinition(stages('Plan {{input}}', 'Research {{ outputs.plan }}', 'Write {{outputs.plan}} {{outputs.research}} for {{input}}'))).not.toThrow();
    // Braces that are not about the input or the outputs stay text.
    expect(() => parseHybridDefinition(stages('Render {{ name }} in the template'))).not.toThrow();
  });

  it('refuses a placeholder naming no earlier stage, a later one, or an object property, and says what it may name', () => {
    for (const [definition, named] of [
      [stages('Plan {{input}}', 'Research {{outputs.toString}}'), 'outputs.toString'],
      [stages('Plan {{input}}', 'Research {{outputs.__proto__}}'), 'outputs.__proto__'],
      [stages('Plan {{input}}', 'Research {{outputs.constructor}}'), 'outputs.constructor'],
      [stages('Plan {{outputs.research}}', 'Research {{input}}'), 'outputs.research'],
      [stages('Plan {{input}}', 'Research {{outputs.research}}'), 'outputs.research'],
      [stages('Plan {{inputs}}'), 'inputs'],
    ] as const) {
      let error: unknown;
      try {
        parseHybridDefinition(definition);
      } catch (caught) {
        error = caught;
      }
      expect(error, named).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
      expect((error as Error).message).toContain(`{{${named}}} names no earlier stage; use {{input}}`);
    }
    expect(() => parseHybridDefinition(stages('Plan {{input}}', 'Research {{outputs.nope}}'))).toThrow(/or one of \{\{outputs\.plan\}\}/);
  });

  it('reads only what the context holds: no prototype property is an output or a condition', () => {
    const context = { input: 'claim', hints: {}, outputs: { plan: 'the plan' } };
    expect(stageInput({ name: 'w', framework: 'LANGGRAPH', input: '{{outputs.plan}} / {{outputs.research}}' }, context)).toBe('the plan / (not run)');
    expect(stageApplies({ name: 'w', framework: 'LANGGRAPH', when: { 'outputs.constructor': undefined } }, context)).toBe(true);
    expect(stageApplies({ name: 'w', framework: 'LANGGRAPH', when: { 'hints.constructor.name': 'Object' } }, context)).toBe(false);
  });
});
