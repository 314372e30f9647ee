import { ENABLED_BY_DEFAULT } from '@switchyard/tools';
import { TeamDefinitionInput, TeamSpec, formatIssues, teamProblems } from './team-definition.ts';
import { TEMPLATES, TEMPLATE_NAMES, pickTemplate, type TemplateName } from './templates.ts';

export type ResolvedDefinition = { ok: true; team: TeamSpec; template: TemplateName | null } | { ok: false; problems: string[] };

/**
 * Turn a workflow's definition into the team to run: a template (with overrides), a custom team, or
 * — with no definition — the template that fits the input. Problems name their path; tools must be
 * among `toolNames` (those the tenant's workflows may use).
 */
export function resolveDefinition(definition: unknown, input: string, toolNames: readonly string[] = ENABLED_BY_DEFAULT): ResolvedDefinition {
  if (definition === null || definition === undefined) {
    const template = pickTemplate(input);
    return { ok: true, team: TeamSpec.parse(TEMPLATES[template]), template };
  }
  const parsed = TeamDefinitionInput.safeParse(definition);
  if (!parsed.success) {
    // A union's issues are vague; name the problems of the branch the author evidently meant.
    const meant = typeof definition === 'object' && 'template' in (definition as object) ? null : TeamSpec.safeParse(definition);
    return { ok: false, problems: meant && !meant.success ? formatIssues(meant.error) : formatIssues(parsed.error) };
  }
  const value = parsed.data;
  if ('template' in value) {
    if (!(TEMPLATE_NAMES as string[]).includes(value.template)) {
      return { ok: false, problems: [`definition.template: unknown template "${value.template}" (available: ${TEMPLATE_NAMES.join(', ')})`] };
    }
    const template = value.template as TemplateName;
    const team = TeamSpec.parse({
      ...TEMPLATES[template],
      ...(value.termination ? { termination: value.termination } : {}),
      ...(value.maxTurns ? { maxTurns: value.maxTurns } : {}),
    });
    const problems = teamProblems(team, toolNames);
    return problems.length ? { ok: false, problems } : { ok: true, team, template };
  }
  const problems = teamProblems(value, toolNames);
  return problems.length ? { ok: false, problems } : { ok: true, team: value, template: null };
}
