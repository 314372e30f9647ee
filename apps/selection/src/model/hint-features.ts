/**
 * Blueprint hints → binary features (`h:`). Known values become one-hot features; unknown strings
 * fall into an `other` bucket and unexpected types are ignored, so odd hints never fail a request.
 * Hints are evidence: the model weighs them against the text.
 */

const KNOWN: Record<string, readonly string[]> = {
  type: ['state_machine', 'multi_agent_team', 'conversational', 'hybrid'],
  complexity: ['low', 'medium', 'high'],
  mode: ['conversational', 'sequential', 'hierarchical'],
};
const BOOLEAN_HINTS = ['hierarchy', 'codeExecution', 'hybrid', 'needsResearch', 'needsCode'] as const;

export function hintFeatures(hints: Record<string, unknown> | null | undefined): string[] {
  if (!hints || typeof hints !== 'object') return [];
  const features: string[] = [];
  for (const [name, known] of Object.entries(KNOWN)) {
    const value = hints[name];
    if (typeof value !== 'string' || !value.trim()) continue;
    const normalized = value.trim().toLowerCase().replace(/[\s-]+/g, '_');
    features.push(`h:${name}=${known.includes(normalized) ? normalized : 'other'}`);
  }
  if (Array.isArray(hints.agents)) {
    const n = hints.agents.filter((a) => typeof a === 'string' && a.trim()).length;
    if (n > 0) features.push(`h:agents=${n >= 3 ? '3+' : '1-2'}`);
  }
  for (const name of BOOLEAN_HINTS) {
    const value = hints[name];
    if (typeof value === 'boolean') features.push(`h:${name}=${value}`);
  }
  if (hints.needsResearch === true && hints.needsCode === true) features.push('h:research+code');
  return features;
}

/** How the rationale reads a hint feature, e.g. `h:type=state_machine` → `hint type "state_machine"`. */
export function describeHintFeature(feature: string): string {
  const [name, value] = feature.slice(2).split('=');
  if (feature === 'h:research+code') return 'hints needsResearch and needsCode';
  if (name === 'agents') return `hint agents (${value})`;
  return `hint ${name} "${value}"`;
}
