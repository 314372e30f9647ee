import type { z } from 'zod';
import { crewDefinitionSchema, type CrewDefinition } from './crew-definition.ts';
import { CREW_TEMPLATES, pickTemplate, TEMPLATE_NAMES } from './templates.ts';

export type ResolvedDefinition = { ok: true; crew: CrewDefinition; template: string | null } | { ok: false; message: string };

/**
 * Turn a workflow's definition into a crew: null picks a template from the input's keywords;
 * {"template": name, ...} starts from that template with the given fields replacing its own; anything
 * else is a custom crew. Errors name the bad path, e.g. `definition.tasks[1].agent: no agent with role "editor"`.
 */
export function resolveCrewDefinition(definition: unknown, input: string, toolNames: readonly string[]): ResolvedDefinition {
  let template: string | null = null;
  let raw: unknown = definition;
  if (definition === null || definition === undefined) {
    template = pickTemplate(input);
    raw = CREW_TEMPLATES[template];
  } else if (typeof definition !== 'object' || Array.isArray(definition)) {
    return { ok: false, message: 'definition: must be a JSON object (a crew, or {"template": "<name>"})' };
  } else if ('template' in definition) {
    const { template: name, ...overrides } = definition as Record<string, unknown>;
    if (typeof name !== 'string' || !CREW_TEMPLATES[name]) {
      return { ok: false, message: `definition.template: unknown template ${JSON.stringify(name)}; available: ${TEMPLATE_NAMES.join(', ')}` };
    }
    template = name;
    raw = { ...CREW_TEMPLATES[name], ...overrides };
  }
  const parsed = crewDefinitionSchema(toolNames).safeParse(raw);
  if (!parsed.success) return { ok: false, message: formatIssues(parsed.error.issues) };
  return { ok: true, crew: parsed.data, template };
}

function formatIssues(issues: z.core.$ZodIssue[]): string {
  return issues
    .slice(0, 10)
    .map((issue) => `${formatPath(issue.path)}: ${issue.message}`)
    .join('; ');
}

function formatPath(path: PropertyKey[]): string {
  return path.reduce<string>((out, part) => (typeof part === 'number' ? `${out}[${part}]` : `${out}.${String(part)}`), 'definition');
}
