import { z } from 'zod';

const name = z.string().trim().min(1).max(80);
const text = z.string().trim().min(1).max(20_000);

export const AgentDefinition = z
  .object({
    role: name.describe('Unique within the crew; tasks and coworkers refer to the agent by it'),
    goal: text,
    backstory: text,
    tools: z.array(z.string()).max(20).default([]).describe('Names of built-in tools: calculator, current_time'),
    allowDelegation: z.boolean().default(false).describe('Give the agent delegate/ask coworker tools for the other agents'),
    maxIter: z.number().int().min(1).max(100).default(15).describe('Model turns before the agent must give its final answer'),
    maxRpm: z.number().int().min(1).max(10_000).optional().describe('Model calls per minute this agent may make'),
    maxExecutionTime: z.number().positive().max(3600).optional().describe('Seconds the agent may spend on one task'),
    model: z.string().min(1).max(120).optional(),
    toolCalling: z.enum(['native', 'react']).default('native').describe('native function calling, or a ReAct text protocol for models without it'),
    temperature: z.number().min(0).max(2).optional(),
  })
  .strict();
export type AgentDefinition = z.infer<typeof AgentDefinition>;

export const TaskDefinition = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9][\w-]{0,63}$/, 'letters, digits, _ and -').optional().describe('Default task-<n>; context refers to tasks by it'),
    description: text,
    expectedOutput: text,
    agent: name.optional().describe('Role of the agent doing the task (hierarchical: the only coworker the manager may use)'),
    context: z.array(z.string()).optional().describe('Names of earlier tasks whose outputs this task sees; all earlier outputs when absent'),
    asyncExecution: z.boolean().default(false).describe('Run alongside the following tasks; joined before the next synchronous task'),
    outputJsonSchema: z.record(z.string(), z.unknown()).optional().describe('JSON Schema the output must match'),
    guardrails: z
      .array(z.string().trim().min(1).max(2000))
      .max(10)
      .default([])
      .describe('Built-in checks (min_length:<n>, max_length:<n>, contains:<text>, not_contains:<text>, json) or a rule in words judged by the model'),
    guardrailMaxRetries: z.number().int().min(0).max(10).default(3),
    humanInput: z.boolean().default(false).describe('Wait for a human to review the output before the crew continues'),
    workflow: z
      .object({
        framework: z.enum(['LANGGRAPH', 'CREWAI', 'AUTOGEN', 'HYBRID']),
        definition: z.record(z.string(), z.unknown()).nullish(),
        input: z.string().trim().min(1).max(20_000).optional().describe('The sub-workflow\'s request; default: the task with its context'),
      })
      .strict()
      .optional()
      .describe('Run this task as a sub-workflow on another engine (e.g. a LangGraph graph) through the orchestrator; its output is the task output'),
  })
  .strict();
export type TaskDefinitionInput = z.input<typeof TaskDefinition>;

const CrewShape = z
  .object({
    template: z.string().optional().describe('Start from a built-in template; the other fields given here replace the template\'s'),
    name: z.string().max(80).optional(),
    process: z.enum(['sequential', 'hierarchical']).default('sequential'),
    agents: z.array(AgentDefinition).min(1).max(20),
    tasks: z.array(TaskDefinition).min(1).max(30),
    manager: AgentDefinition.optional().describe('Hierarchical only: the manager agent; a built-in Crew Manager when absent'),
    managerModel: z.string().min(1).max(120).optional(),
    maxDelegations: z.number().int().min(1).max(50).default(6).describe('Delegations the manager (or a delegating agent) may make per task'),
    planning: z.boolean().default(false).describe('A planner writes a step plan for each task before the crew starts'),
    planningModel: z.string().min(1).max(120).optional(),
    model: z.string().min(1).max(120).optional().describe('Default model of every agent'),
    inputs: z
      .array(z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])))
      .min(1)
      .max(50)
      .optional()
      .describe('kickoffForEach: run the crew once per input, in order; {key} placeholders in agents and tasks are filled from it'),
  })
  .strict();

/** A crew as the engine runs it: defaults applied, every task named. */
export type CrewDefinition = Omit<z.infer<typeof CrewShape>, 'tasks'> & { tasks: TaskDefinition[] };
export type TaskDefinition = z.infer<typeof TaskDefinition> & { name: string };

export const BUILT_IN_GUARDRAILS = ['min_length', 'max_length', 'contains', 'not_contains', 'json'] as const;

/**
 * The crew definition language: JSON checked by zod, then across fields (agents named by tasks exist,
 * context names earlier tasks, tools exist), so every error names its path.
 */
export function crewDefinitionSchema(toolNames: readonly string[]) {
  return CrewShape.superRefine((crew, ctx) => {
    const roles = new Map<string, number>();
    crew.agents.forEach((agent, index) => {
      const key = agent.role.toLowerCase();
      if (roles.has(key)) ctx.addIssue({ code: 'custom', path: ['agents', index, 'role'], message: `duplicate role "${agent.role}"` });
      roles.set(key, index);
      agent.tools.forEach((tool, t) => {
        if (!toolNames.includes(tool)) ctx.addIssue({ code: 'custom', path: ['agents', index, 'tools', t], message: `unknown tool "${tool}"; available: ${toolNames.join(', ')}` });
      });
    });
    if (crew.manager) {
      if (crew.process !== 'hierarchical') ctx.addIssue({ code: 'custom', path: ['manager'], message: 'a manager is only used by the hierarchical process' });
      if (roles.has(crew.manager.role.toLowerCase())) ctx.addIssue({ code: 'custom', path: ['manager', 'role'], message: `the manager must not also be a crew agent ("${crew.manager.role}")` });
      if (crew.manager.tools.length > 0) ctx.addIssue({ code: 'custom', path: ['manager', 'tools'], message: 'the manager works only through its coworkers; give tools to the agents' });
    }
    const taskNames = new Map<string, number>();
    crew.tasks.forEach((task, index) => {
      const taskName = task.name ?? `task-${index + 1}`;
      if (taskNames.has(taskName)) ctx.addIssue({ code: 'custom', path: ['tasks', index, 'name'], message: `duplicate task name "${taskName}"` });
      if (task.agent !== undefined && !roles.has(task.agent.toLowerCase())) {
        ctx.addIssue({ code: 'custom', path: ['tasks', index, 'agent'], message: `no agent with role "${task.agent}"; roles: ${crew.agents.map((a) => a.role).join(', ')}` });
      }
      if (task.agent === undefined && crew.process === 'sequential') {
        ctx.addIssue({ code: 'custom', path: ['tasks', index, 'agent'], message: 'required in a sequential crew (the role of the agent doing the task)' });
      }
      task.context?.forEach((ref, c) => {
        if (!taskNames.has(ref)) ctx.addIssue({ code: 'custom', path: ['tasks', index, 'context', c], message: `no earlier task named "${ref}"` });
      });
      if (task.asyncExecution && task.humanInput) ctx.addIssue({ code: 'custom', path: ['tasks', index, 'humanInput'], message: 'an asynchronous task cannot wait for human input' });
      task.guardrails.forEach((guardrail, g) => {
        const problem = builtInGuardrailProblem(guardrail);
        if (problem) ctx.addIssue({ code: 'custom', path: ['tasks', index, 'guardrails', g], message: problem });
      });
      if (task.outputJsonSchema) {
        try {
          z.fromJSONSchema(task.outputJsonSchema as Parameters<typeof z.fromJSONSchema>[0]);
        } catch (error) {
          ctx.addIssue({ code: 'custom', path: ['tasks', index, 'outputJsonSchema'], message: `not a usable JSON Schema: ${(error as Error).message}` });
        }
      }
      taskNames.set(taskName, index);
    });
  }).transform((crew): CrewDefinition => ({ ...crew, tasks: crew.tasks.map((task, index) => ({ ...task, name: task.name ?? `task-${index + 1}` })) }));
}

/** A guardrail that looks like a built-in (`word:` or a single word) must be a known one used correctly. */
function builtInGuardrailProblem(guardrail: string): string | undefined {
  const match = /^([a-z_]+)(?::(.*))?$/s.exec(guardrail);
  if (!match) return undefined; // a rule in words, judged by the model
  const [, kind, argument] = match;
  if (!(BUILT_IN_GUARDRAILS as readonly string[]).includes(kind!)) {
    return `unknown built-in guardrail "${kind}"; use ${BUILT_IN_GUARDRAILS.join(', ')}, or write the rule in words for the model to judge`;
  }
  if ((kind === 'min_length' || kind === 'max_length') && !/^\d+$/.test(argument ?? '')) return `${kind} needs a whole number, e.g. ${kind}:200`;
  if ((kind === 'contains' || kind === 'not_contains') && !argument) return `${kind} needs the text to look for, e.g. ${kind}:Summary`;
  if (kind === 'json' && argument !== undefined) return 'json takes no argument';
  return undefined;
}

/** The definition language as JSON Schema, for editors and API users (served at GET /engine/definition-schema). */
export function crewDefinitionJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(CrewShape, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}
