import { INJECTION_JSON, INJECTION_STRINGS, longString } from './hostile-values.ts';
import type { SeededRandom } from './seeded-random.ts';

export type Framework = 'LANGGRAPH' | 'CREWAI' | 'AUTOGEN' | 'HYBRID';
export const FRAMEWORKS: readonly Framework[] = ['LANGGRAPH', 'CREWAI', 'AUTOGEN', 'HYBRID'];

/** Keys that reach object lookups in a definition's interpreter. */
const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'];

/**
 * startWorkflow definitions for each engine with injection strings and prototype keys where the
 * definition language takes names, templates and conditions, plus shapes that are simply wrong.
 */
export function hostileDefinition(random: SeededRandom, framework: Framework): unknown {
  const text = () => random.pick(INJECTION_STRINGS);
  const key = () => random.pick([...PROTO_KEYS, text()]);
  if (random.chance(0.15)) return random.pick(INJECTION_JSON);
  if (random.chance(0.1)) return { template: key() };
  if (random.chance(0.05)) return nested(random.pick([100, 2000]));
  switch (framework) {
    case 'LANGGRAPH': {
      const node = key();
      const graph = {
        state: { [key()]: { reducer: random.pick(['replace', 'append', '__proto__', 'sum']), default: random.pick(INJECTION_JSON) } },
        entry: random.chance(0.7) ? 'start' : node,
        nodes: {
          start: { kind: 'model', prompt: `${text()} {{input}} {{${key()}}}`, next: random.chance(0.5) ? 'END' : node },
          [node]: random.pick([
            { kind: 'set', values: { [key()]: `{{${key()}}}` }, next: 'END' },
            { kind: 'router', routes: [{ when: { key: key(), op: random.pick(['eq', 'in', '$gt', '__proto__']), value: random.pick(INJECTION_JSON) }, to: 'END' }], default: 'END' },
            { kind: 'tool', tool: random.pick(['calculator', '../../bin/sh', '__proto__']), args: { expression: text() }, next: 'END' },
            { kind: 'human', prompt: text(), answerSchema: random.pick(INJECTION_JSON), next: 'END' },
          ]),
        },
        output: `{{${key()}}}`,
      };
      return random.chance(0.8) ? { graph } : { definitionId: text(), version: random.pick([0, -1, 2 ** 40]) };
    }
    case 'CREWAI':
      return {
        ...(random.chance(0.3) ? { template: random.pick(['market-research', key()]) } : {}),
        process: random.pick(['sequential', 'hierarchical', '__proto__']),
        agents: [{ role: key(), goal: text(), backstory: random.chance(0.1) ? longString(20_001) : text(), tools: [random.pick(['calculator', '__proto__', '../x'])] }],
        tasks: [{ name: random.pick(['t1', '__proto__', 'constructor']), description: `${text()} {${key()}}`, expectedOutput: text(), guardrails: [`contains:${text()}`, text()], context: [key()] }],
        inputs: [{ [key()]: text() }],
      };
    case 'AUTOGEN':
      return {
        ...(random.chance(0.3) ? { template: random.pick(['debate', key()]) } : {}),
        type: random.pick(['round_robin', 'selector', 'swarm', '__proto__']),
        participants: [
          { type: 'assistant', name: key(), systemMessage: text(), handoffs: [key()] },
          { type: random.pick(['code_executor', 'user_proxy', 'constructor']), name: key(), sources: [key()] },
        ],
        termination: random.pick([{ textMention: text() }, { or: [{ maxMessages: random.pick([0, -1, 3, 2 ** 40]) }] }, { [key()]: 1 }, nested(50)]),
        maxTurns: random.pick([2, 0, -5, 1e9]),
      };
    case 'HYBRID':
      return {
        stages: [
          { name: random.pick(['plan', key()]), framework: random.pick(['LANGGRAPH', 'HYBRID', '__proto__']), input: `{{input}} {{outputs.${key()}}} ${text()}`, when: { [`hints.${key()}`]: true } },
          { name: 'finish', framework: 'LANGGRAPH', input: `{{outputs.${random.pick(PROTO_KEYS)}}}`, definition: random.pick([null, { template: key() }, ...INJECTION_JSON.filter((v) => typeof v === 'object')]) },
        ],
      };
  }
}

function nested(depth: number): unknown {
  let value: unknown = { leaf: true };
  for (let i = 0; i < depth; i++) value = { [i % 2 ? 'or' : 'and']: [value] };
  return value;
}
