import { z } from 'zod';
import { BadUserInputError, Framework, type WorkflowHints } from '@switchyard/contracts';

/** A condition on the hybrid context: every listed path must equal its value (e.g. {"hints.needsCode": true}). */
const StageCondition = z.record(z.string().regex(/^(input|hints|outputs)(\.[A-Za-z0-9_-]+)*$/, 'a path under input, hints or outputs'), z.unknown());

export const HybridStage = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'lowercase letters, digits and dashes, starting with a letter'),
    framework: Framework.exclude(['HYBRID']),
    /** The engine's own definition for this stage (a graph, crew or team); null: the engine's default. */
    definition: z.record(z.string(), z.unknown()).nullish(),
    /** The stage's request; {{input}} and {{outputs.<stage>}} are replaced. Default: the input and all earlier outputs. */
    input: z.string().max(20_000).optional(),
    /** Run the stage only when this holds. */
    when: StageCondition.optional(),
  })
  .strict();
export type HybridStage = z.infer<typeof HybridStage>;

export const HybridDefinition = z
  .object({ stages: z.array(HybridStage).min(1).max(10) })
  .strict()
  .superRefine((definition, ctx) => {
    const seen = new Set<string>();
    definition.stages.forEach((stage, index) => {
      if (seen.has(stage.name)) ctx.addIssue({ code: 'custom', path: ['stages', index, 'name'], message: `duplicate stage name "${stage.name}"` });
      // A placeholder about the input or the outputs (typos such as {{inputs}} included) must name the input or an earlier stage.
      for (const [, reference] of (stage.input ?? '').matchAll(/\{\{\s*((?:input|output)[^}]*?)\s*\}\}/g)) {
        const stageName = /^outputs\.([a-z][a-z0-9-]{0,39})$/.exec(reference!)?.[1];
        if (reference === 'input' || (stageName !== undefined && seen.has(stageName))) continue;
        const earlier = [...seen].map((name) => `{{outputs.${name}}}`).join(', ');
        ctx.addIssue({
          code: 'custom',
          path: ['stages', index, 'input'],
          message: `{{${reference}}} names no earlier stage; use {{input}}${earlier ? ` or one of ${earlier}` : ' (this is the first stage)'}`,
        });
      }
      seen.add(stage.name);
    });
  });
export type HybridDefinition = z.infer<typeof HybridDefinition>;

/**
 * The blueprint's hybrid flow: LangGraph orchestrates, a CrewAI team researches when research is
 * needed, an AutoGen chat writes and runs code when code is needed, LangGraph finalises.
 */
export const DEFAULT_HYBRID: HybridDefinition = {
  stages: [
    { name: 'orchestrate', framework: 'LANGGRAPH', input: 'Plan how to handle this request and what it needs: {{input}}' },
    { name: 'research', framework: 'CREWAI', when: { 'hints.needsResearch': true }, input: 'Research for this request: {{input}}\n\nPlan:\n{{outputs.orchestrate}}' },
    { name: 'code', framework: 'AUTOGEN', when: { 'hints.needsCode': true }, input: 'Write and run code for this request: {{input}}\n\nResearch:\n{{outputs.research}}' },
    { name: 'finalize', framework: 'LANGGRAPH', input: 'Write the final result for: {{input}}\n\nPlan:\n{{outputs.orchestrate}}\n\nResearch:\n{{outputs.research}}\n\nCode results:\n{{outputs.code}}' },
  ],
};

export function parseHybridDefinition(definition: unknown): HybridDefinition {
  if (definition === null || definition === undefined) return DEFAULT_HYBRID;
  const parsed = HybridDefinition.safeParse(definition);
  if (!parsed.success) {
    throw new BadUserInputError(
      `Invalid hybrid definition: ${parsed.error.issues.map((issue) => `${['input', 'definition', ...issue.path].join('.')}: ${issue.message}`).join('; ')}`,
      { field: 'input.definition' },
    );
  }
  return parsed.data;
}

/** Hints for the default flow: stated hints win; otherwise the words of the request decide. */
export function hybridHints(input: string, hints: WorkflowHints | Record<string, unknown>): Record<string, unknown> {
  const text = input.toLowerCase();
  return {
    ...hints,
    needsResearch: (hints as WorkflowHints).needsResearch ?? /\b(research|competitor|market|investigat|survey|analy[sz]e)/.test(text),
    needsCode: (hints as WorkflowHints).needsCode ?? /\b(code|script|csv|data|compute|calculat|python|javascript)/.test(text),
  };
}

export interface HybridContext {
  input: string;
  hints: Record<string, unknown>;
  outputs: Record<string, string>;
}

/** The value at a dotted path, through own properties only (never `constructor`, `__proto__` and the like). */
function lookup(context: HybridContext, path: string): unknown {
  return path.split('.').reduce<unknown>((value, key) => (value && typeof value === 'object' && Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined), context);
}

export function stageApplies(stage: HybridStage, context: HybridContext): boolean {
  return Object.entries(stage.when ?? {}).every(([path, expected]) => lookup(context, path) === expected);
}

export function stageInput(stage: HybridStage, context: HybridContext): string {
  if (!stage.input) {
    const earlier = Object.entries(context.outputs).map(([name, output]) => `## ${name}\n${output}`).join('\n\n');
    return earlier ? `${context.input}\n\nResults so far:\n${earlier}` : context.input;
  }
  return stage.input.replace(/\{\{\s*(input|outputs\.[a-z0-9-]+)\s*\}\}/g, (_match, path: string) => {
    const value = lookup(context, path);
    return typeof value === 'string' ? value : '(not run)';
  });
}
