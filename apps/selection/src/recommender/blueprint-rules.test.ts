import { describe, expect, it } from 'vitest';
import { recommendByBlueprintRules } from './blueprint-rules.ts';

describe('blueprint rules', () => {
  it('follows the blueprint FrameworkSelector', () => {
    expect(recommendByBlueprintRules({ type: 'state_machine', complexity: 'high' })).toMatchObject({ framework: 'LANGGRAPH', confidence: 0.92 });
    expect(recommendByBlueprintRules({ agents: ['a', 'b', 'c', 'd'], hierarchy: true })).toMatchObject({ framework: 'CREWAI', confidence: 0.88 });
    expect(recommendByBlueprintRules({ mode: 'conversational', codeExecution: true })).toMatchObject({ framework: 'AUTOGEN', confidence: 0.85 });
    expect(recommendByBlueprintRules({ hybrid: true })).toMatchObject({ framework: 'HYBRID', confidence: 0.79 });
    expect(recommendByBlueprintRules(null)).toMatchObject({ framework: 'LANGGRAPH', confidence: 0.7 });
  });

  it('gives probabilities over all four frameworks that sum to one', () => {
    const r = recommendByBlueprintRules({ hybrid: true });
    const total = r.confidence + r.alternatives.reduce((sum, a) => sum + a.probability, 0);
    expect(total).toBeCloseTo(1, 3);
    expect(r.alternatives.map((a) => a.framework).sort()).toEqual(['AUTOGEN', 'CREWAI', 'LANGGRAPH']);
  });
});
