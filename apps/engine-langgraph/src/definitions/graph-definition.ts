import { z } from 'zod';
import { Condition } from './conditions.ts';

/** The names a graph definition may give nodes and state keys (no leading underscore: those are the engine's). */
const Identifier = z
  .string()
  .regex(/^[A-Za-z][\w-]{0,63}$/, 'must start with a letter and hold only letters, digits, "_" and "-" (at most 64)')
  // State keys and node names become keys of LangGraph's own objects: "constructor" there is Object's, and the run failed.
  .refine((name) => !(name in Object.prototype), { error: (issue) => `"${String(issue.input)}" is a reserved name (a property every JavaScript object has); choose another name` });
/** A node name, or "END" to finish the run. */
const Target = z.string().min(1).max(64).describe('a node name, or "END" to finish');
export const END_TARGET = 'END';

const JsonSchemaObject = z.record(z.string(), z.unknown()).describe('a JSON Schema (draft 2020-12 subset)');

export const Route = z.object({ when: Condition, to: Target }).strict();
export type Route = z.infer<typeof Route>;

/** Where a node goes next: one node, several in parallel, or the first route whose condition holds. */
export const Next = z.union([
  Target,
  z.array(Target).min(1).max(16),
  z.object({ routes: z.array(Route).min(1).max(32), default: Target }).strict().describe('conditional edge: first matching route wins, else default'),
]);
export type Next = z.infer<typeof Next>;

export const RetrySpec = z
  .object({
    maxAttempts: z.number().int().min(1).max(10),
    backoffMs: z.number().int().min(0).max(60_000).default(500),
    backoffFactor: z.number().min(1).max(10).default(2),
    maxBackoffMs: z.number().int().min(0).max(300_000).default(30_000),
  })
  .strict();
export type RetrySpec = z.infer<typeof RetrySpec>;

const common = {
  description: z.string().max(500).optional(),
  next: Next.optional(),
  retry: RetrySpec.optional().describe('retry the node when it throws: attempts in all, exponential backoff'),
  timeoutMs: z.number().int().min(10).max(3_600_000).optional().describe('limit of one attempt'),
};

export const ModelNode = z
  .object({
    kind: z.literal('model'),
    prompt: z.string().min(1).max(20_000).describe('user message; {{key}} placeholders read the state'),
    system: z.string().max(20_000).optional(),
    model: z.string().max(200).optional(),
    temperature: z.number().min(0).max(2).optional(),
    maxTokens: z.number().int().min(1).max(100_000).optional(),
    schema: JsonSchemaObject.optional().describe('structured output; without writeTo each property is written to the state key of its name'),
    writeTo: Identifier.optional().describe('state key for the text (or the whole structured object)'),
    tools: z.array(z.string().min(1).max(64)).max(32).optional().describe("tools the model may call (from the tenant's enabled tools) before it answers"),
    maxToolRounds: z.number().int().min(1).max(20).optional().describe('model calls that may ask for tools before the answer (default 5)'),
    ...common,
  })
  .strict();

export const ToolNode = z
  .object({
    kind: z.literal('tool'),
    tool: z.string().min(1).max(100),
    args: z.record(z.string(), z.unknown()).default({}).describe('arguments; strings may hold {{key}} placeholders ("{{amount}}" alone keeps the type)'),
    writeTo: Identifier.describe('state key for the result, or {"error": "..."} when the tool failed'),
    ...common,
  })
  .strict();

export const RouterNode = z
  .object({
    kind: z.literal('router'),
    routes: z.array(Route).max(32).optional().describe('conditions on state values, first match wins'),
    choose: z
      .object({
        prompt: z.string().min(1).max(20_000),
        system: z.string().max(20_000).optional(),
        model: z.string().max(200).optional(),
        options: z.record(Identifier, Target).describe('option name (what the model answers) → node'),
      })
      .strict()
      .optional()
      .describe('let the model pick one of the named options'),
    default: Target,
    description: z.string().max(500).optional(),
    retry: RetrySpec.optional(),
    timeoutMs: common.timeoutMs,
  })
  .strict();

export const HumanNode = z
  .object({
    kind: z.literal('human'),
    prompt: z.string().min(1).max(5000).describe('what the human is asked; {{key}} placeholders read the state'),
    answerSchema: JsonSchemaObject.optional().describe('the answer must match it, or the question is asked again with the error'),
    show: z.array(Identifier).max(32).optional().describe('state keys shown with the question'),
    writeTo: Identifier,
    ...common,
  })
  .strict();

export const FanoutNode = z
  .object({
    kind: z.literal('fanout'),
    over: Identifier.describe('state key holding the list'),
    to: Identifier.describe('the worker node, run once per item (LangGraph Send) with {{item}} and {{index}}'),
    as: Identifier.default('item'),
    join: Target.describe('where the run continues once every worker finished (or at once for an empty list)'),
    description: z.string().max(500).optional(),
  })
  .strict();

export const WorkflowNode = z
  .object({
    kind: z.literal('workflow'),
    framework: z.enum(['LANGGRAPH', 'CREWAI', 'AUTOGEN', 'HYBRID']),
    input: z.string().min(1).max(20_000).describe('the child workflow input; {{key}} placeholders read the state'),
    definition: z.record(z.string(), z.unknown()).optional(),
    writeTo: Identifier.describe('state key for the child workflow output'),
    ...common,
  })
  .strict();

export const SetNode = z
  .object({
    kind: z.literal('set'),
    values: z.record(Identifier, z.unknown()).describe('state key → value; strings may hold {{key}} placeholders'),
    ...common,
  })
  .strict();

export const NODE_KINDS = ['model', 'tool', 'router', 'human', 'fanout', 'workflow', 'set'] as const;

export const GraphNode = z.discriminatedUnion('kind', [ModelNode, ToolNode, RouterNode, HumanNode, FanoutNode, WorkflowNode, SetNode]);
export type GraphNode = z.infer<typeof GraphNode>;

export const Reducer = z.enum(['replace', 'append', 'sum', 'merge']);
export type Reducer = z.infer<typeof Reducer>;

export const StateChannel = z
  .object({
    reducer: Reducer.default('replace').describe('replace: last write wins; append: lists concatenate; sum: numbers add; merge: objects merge shallowly'),
    default: z.unknown().optional(),
    description: z.string().max(500).optional(),
  })
  .strict();
export type StateChannel = z.infer<typeof StateChannel>;

/**
 * A declarative LangGraph workflow: typed state channels with reducers, nodes of seven kinds,
 * edges (each node's `next`, or `edges`), an entry and the nodes that finish. The engine compiles
 * it to a StateGraph; `checkGraphDefinition` adds the checks a schema cannot express.
 */
export const GraphDefinition = z
  .object({
    name: z.string().max(100).optional(),
    description: z.string().max(2000).optional(),
    state: z.record(Identifier, StateChannel).default({}).describe('state channels; "input" (the request text) always exists'),
    nodes: z.record(Identifier, GraphNode).refine((nodes) => Object.keys(nodes).length > 0, 'a graph needs at least one node'),
    entry: Identifier,
    edges: z.array(z.object({ from: Identifier, to: Target }).strict()).max(500).optional(),
    finish: z.array(Identifier).max(100).optional().describe('nodes after which the run ends (same as next: "END")'),
    output: z.string().max(20_000).optional().describe('the workflow output; {{key}} placeholders read the final state. Default: the "output" key, else the state as JSON'),
    recursionLimit: z.number().int().min(5).max(10_000).optional(),
  })
  .strict();
export type GraphDefinition = z.infer<typeof GraphDefinition>;
export type GraphDefinitionInput = z.input<typeof GraphDefinition>;

/** The published JSON Schema of the graph definition language. */
export function graphDefinitionJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(GraphDefinition, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;
}
