import type { Framework, WorkflowHints } from '@switchyard/contracts';

export interface Recommendation {
  framework: Framework;
  confidence: number;
  alternatives: { framework: Framework; probability: number }[];
  rationale: string;
  modelVersion: string;
}

export const RULES_MODEL_VERSION = 'blueprint-rules-1';
const ALL: Framework[] = ['LANGGRAPH', 'CREWAI', 'AUTOGEN', 'HYBRID'];

/**
 * The blueprint's rule-based FrameworkSelector (its fallback "before the ML model is trained"),
 * applied to the structured hints exactly as written there. The free text is not read by these
 * rules; the trained text model replaces them.
 */
export function recommendByBlueprintRules(hints: WorkflowHints | null | undefined): Recommendation {
  const h = hints ?? {};
  const agents = h.agents?.length ?? 0;
  let framework: Framework = 'LANGGRAPH';
  let confidence = 0.7;
  let rationale = 'No rule of the blueprint matched the hints, so its default applies: LangGraph for most workflows.';
  if (h.type === 'state_machine' && h.complexity === 'high') {
    [framework, confidence, rationale] = ['LANGGRAPH', 0.92, 'Hints describe a high-complexity state machine: a known process suits LangGraph.'];
  } else if (agents > 3 && h.hierarchy) {
    [framework, confidence, rationale] = ['CREWAI', 0.88, `Hints name ${agents} agents in a hierarchy: a managed team of roles suits CrewAI.`];
  } else if (h.mode === 'conversational' && h.codeExecution) {
    [framework, confidence, rationale] = ['AUTOGEN', 0.85, 'Hints ask for a conversation with code execution: an AutoGen group chat fits.'];
  } else if (h.hybrid) {
    [framework, confidence, rationale] = ['HYBRID', 0.79, 'Hints mark mixed requirements: stages on several engines (hybrid).'];
  }
  const rest = (1 - confidence) / (ALL.length - 1);
  const alternatives = ALL.filter((f) => f !== framework).map((f) => ({ framework: f, probability: Number(rest.toFixed(4)) }));
  return { framework, confidence, alternatives, rationale: `${rationale} (rule-based recommender from the blueprint; the trained model replaces it)`, modelVersion: RULES_MODEL_VERSION };
}
