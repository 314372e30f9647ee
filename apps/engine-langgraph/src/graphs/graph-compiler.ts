import { Annotation, END, START, Send, StateGraph, interrupt, type BaseChannel, type BaseCheckpointSaver, type LangGraphRunnableConfig, type RetryPolicy } from '@langchain/langgraph';
import { z } from 'zod';
import type { LlmClient } from '@switchyard/llm';
import { WorkflowEventType, type TenantContext } from '@switchyard/contracts';
import { evaluateCondition, valueAt } from '../definitions/conditions.ts';
import { graphEdges } from '../definitions/definition-checks.ts';
import { END_TARGET, type GraphDefinition, type GraphNode, type Next, type Reducer, type RetrySpec, type Route } from '../definitions/graph-definition.ts';
import { renderTemplate, renderValue } from '../definitions/templates.ts';
import type { ChildWorkflows } from '@switchyard/engine-kit';
import { callModel, streamModel, type ModelCallIO } from '../runtime/model-calls.ts';
import { ToolInputParsingException } from '@langchain/core/tools';
import { toLangChainTools, type ToolCallRecord } from '@switchyard/tools';
import type { RunTools } from '@switchyard/engine-kit';
import type { ChatMessage, ChatResult } from '@switchyard/llm';

/** Native state of a declarative graph: its channels by name. */
export type GraphValues = Record<string, unknown>;

/** Hidden channel: what each router chose (node name → target), read by its conditional edge. */
export const CHOICES = '_choices';
/** Hidden key of a fan-out worker's input: which item it works on. */
const FANOUT_INDEX = 'index';

/** What compiled nodes need from the run that executes them. */
export interface GraphRuntime {
  llm: LlmClient;
  /** The tenant's enabled tools for this run (libs/tools). */
  tools: RunTools;
  children: ChildWorkflows | null;
  io: ModelCallIO;
  tenant: TenantContext;
  workflowId: string;
  /** How often streamed model output is reported (ms). */
  modelOutputIntervalMs?: number;
}

/** What a human step puts in the workflow's pendingInput. */
export interface HumanRequest {
  kind: 'human' | 'child-workflow';
  node: string;
  prompt: string;
  answerSchema?: Record<string, unknown>;
  context?: Record<string, unknown>;
  /** Why the previous answer was not accepted. */
  error?: string;
  childWorkflowId?: string;
}

function reducerFor(reducer: Reducer): (current: unknown, update: unknown) => unknown {
  switch (reducer) {
    case 'replace':
      return (_current, update) => update;
    case 'append':
      return (current, update) => (Array.isArray(current) ? current : []).concat(Array.isArray(update) ? update : [update]);
    case 'sum':
      return (current, update) => (Number(current) || 0) + (Number(update) || 0);
    case 'merge':
      return (current, update) => ({ ...(isRecord(current) ? current : {}), ...(isRecord(update) ? update : {}) });
  }
}

function defaultFor(reducer: Reducer, declared: unknown): () => unknown {
  if (declared !== undefined) return () => structuredClone(declared);
  return () => (reducer === 'append' ? [] : reducer === 'sum' ? 0 : reducer === 'merge' ? {} : null);
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The state schema of a definition: every declared channel with its reducer, plus `input` and the routers' choices. */
export function graphStateSchema(definition: GraphDefinition) {
  const channels: Record<string, BaseChannel> = {};
  for (const [key, channel] of Object.entries({ input: { reducer: 'replace' as const, default: '' }, ...definition.state })) {
    channels[key] = Annotation<unknown, unknown>({ reducer: reducerFor(channel.reducer), default: defaultFor(channel.reducer, channel.default) });
  }
  channels[CHOICES] = Annotation<unknown, unknown>({ reducer: reducerFor('merge'), default: () => ({}) });
  return Annotation.Root(channels);
}

function retryPolicy(spec: RetrySpec | undefined, node: string, runtime: GraphRuntime): RetryPolicy | undefined {
  if (!spec || spec.maxAttempts <= 1) return undefined;
  return {
    maxAttempts: spec.maxAttempts,
    initialInterval: spec.backoffMs,
    backoffFactor: spec.backoffFactor,
    maxInterval: spec.maxBackoffMs,
    jitter: false,
    logWarning: false,
    retryOn: (error: unknown) => {
      if (runtime.io.signal.aborted) return false;
      const err = error as { name?: string; retryable?: boolean; kind?: string; message?: string };
      // An LlmError that is not transient (bad request, auth) fails the same way every time.
      if (err.name === 'LlmError' && err.retryable === false) return false;
      runtime.io.emit({ type: 'STEP_RETRYING', step: node, message: err.message ?? String(error) });
      return true;
    },
  };
}

function attemptOf(config: LangGraphRunnableConfig): number {
  return (config as { executionInfo?: { nodeAttempt?: number } }).executionInfo?.nodeAttempt ?? 1;
}

function schemaValidator(schema: Record<string, unknown>, where: string): z.ZodType {
  try {
    return z.fromJSONSchema(schema as Parameters<typeof z.fromJSONSchema>[0]);
  } catch (error) {
    throw new Error(`${where}: the JSON Schema cannot be used: ${(error as Error).message}`);
  }
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || '(answer)'}: ${issue.message}`).join('; ');
}

/** Resolve a conditional `next`: the first route whose condition holds, else the default. */
function routeTarget(routes: Route[] | undefined, fallback: string, state: GraphValues): string {
  return routes?.find((route) => evaluateCondition(route.when, state))?.to ?? fallback;
}

const toGraphTarget = (target: string) => (target === END_TARGET ? END : target);

/**
 * Compile a checked GraphDefinition to a LangGraph StateGraph: channels with reducers, one node per
 * definition node (per-node retry policy and timeout), static edges, conditional edges for routers
 * and conditional `next`, Send for fan-outs, interrupt() for human steps. Nodes report through
 * `runtime.io`; the graph is compiled per run because the nodes close over that run's io.
 */
export function compileGraph(definition: GraphDefinition, runtime: GraphRuntime, checkpointer: BaseCheckpointSaver) {
  const State = graphStateSchema(definition);
  // The node names come from data, so the builder's literal-name generics cannot follow them.
  const graph = new StateGraph(State) as unknown as StateGraph<typeof State.spec, GraphValues, Partial<GraphValues>, string>;
  for (const [name, node] of Object.entries(definition.nodes)) {
    // A human step returns at once (interrupt) and a fan-out does no work: neither needs a policy.
    const policies = node.kind === 'fanout' || node.kind === 'human' ? {} : { retryPolicy: retryPolicy(node.retry, name, runtime), timeout: node.timeoutMs };
    graph.addNode(name, nodeFunction(name, node, definition, runtime), policies);
  }

  graph.addEdge(START, definition.entry);
  const edges = graphEdges(definition);
  for (const [name, node] of Object.entries(definition.nodes)) {
    if (node.kind === 'router') {
      const targets = [...new Set(edges.filter((e) => e.from === name).map((e) => toGraphTarget(e.to)))];
      graph.addConditionalEdges(name, (state: GraphValues) => toGraphTarget(String((state[CHOICES] as Record<string, unknown>)[name] ?? node.default)), targets);
      continue;
    }
    if (node.kind === 'fanout') {
      const join = toGraphTarget(node.join);
      graph.addConditionalEdges(
        name,
        (state: GraphValues) => {
          const items = valueAt(state, node.over);
          if (!Array.isArray(items) || items.length === 0) return join;
          return items.map((item, index) => new Send(node.to, { ...state, [node.as]: item, [FANOUT_INDEX]: index }));
        },
        [node.to, join],
      );
      continue;
    }
    if (isConditional(node.next)) {
      const { routes, default: fallback } = node.next;
      const targets = [...new Set([...routes.map((r) => r.to), fallback].map(toGraphTarget))];
      graph.addConditionalEdges(name, (state: GraphValues) => toGraphTarget(routeTarget(routes, fallback, state)), targets);
    }
  }
  for (const edge of edges) {
    const from = definition.nodes[edge.from];
    if (!from || from.kind === 'router' || from.kind === 'fanout' || (isConditional(from.next) && edge.path.includes('.next'))) continue;
    // A worker's implied edge to its join is a plain edge: LangGraph runs the join once after every Send finished.
    graph.addEdge(edge.from, toGraphTarget(edge.to));
  }
  return graph.compile({ checkpointer });
}

function isConditional(next: Next | undefined): next is Extract<Next, { routes: unknown }> {
  return typeof next === 'object' && next !== null && !Array.isArray(next);
}

type NodeFunction = (state: GraphValues, config: LangGraphRunnableConfig) => Promise<Partial<GraphValues>>;

function nodeFunction(name: string, node: GraphNode, definition: GraphDefinition, runtime: GraphRuntime): NodeFunction {
  const { io } = runtime;
  const signalOf = (config: LangGraphRunnableConfig) => config.signal ?? io.signal;
  switch (node.kind) {
    case 'model':
      return async (state, config) => {
        const messages = [
          ...(node.system ? [{ role: 'system' as const, content: renderTemplate(node.system, state) }] : []),
          { role: 'user' as const, content: renderTemplate(node.prompt, state) },
        ];
        const result = node.tools?.length
          ? await modelWithTools(name, node.tools, node.maxToolRounds ?? 5, messages, runtime, signalOf(config), {
              ...(node.model ? { model: node.model } : {}),
              ...(node.temperature !== undefined ? { temperature: node.temperature } : {}),
              ...(node.maxTokens !== undefined ? { maxTokens: node.maxTokens } : {}),
            })
          : await streamModel(
          runtime.llm,
          {
            messages,
            ...(node.model ? { model: node.model } : {}),
            ...(node.temperature !== undefined ? { temperature: node.temperature } : {}),
            ...(node.maxTokens !== undefined ? { maxTokens: node.maxTokens } : {}),
            ...(node.schema ? { responseFormat: { type: 'json_schema' as const, name: name.replace(/[^\w-]/g, '_'), schema: node.schema } } : {}),
          },
          io,
          name,
          { signal: signalOf(config), intervalMs: runtime.modelOutputIntervalMs },
        );
        const text = result.content ?? '';
        if (!node.schema) return node.writeTo ? { [node.writeTo]: text } : {};
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          throw new Error(`The model's answer in node "${name}" is not JSON: ${text.slice(0, 200)}`);
        }
        const checked = schemaValidator(node.schema, `definition.nodes.${name}.schema`).safeParse(parsed);
        if (!checked.success) throw new Error(`The model's answer in node "${name}" does not match its schema: ${describeIssues(checked.error)}`);
        if (node.writeTo) return { [node.writeTo]: checked.data };
        const properties = Object.keys((node.schema['properties'] as Record<string, unknown> | undefined) ?? {});
        const data = isRecord(checked.data) ? checked.data : {};
        return Object.fromEntries(properties.filter((key) => key in data).map((key) => [key, data[key]]));
      };

    case 'tool':
      return async (state, config) => {
        const args = renderValue(node.args, state);
        const outcome = await runtime.tools.call(node.tool, args, {
          signal: signalOf(config),
          onRecord: (record) =>
            io.emit({ type: WorkflowEventType.TOOL_CALL, step: name, agent: name, message: record.ok ? `${node.tool} answered` : `${node.tool} failed: ${record.error}`, data: { ...record } }),
        });
        if (outcome.ok) return { [node.writeTo]: outcome.result };
        // A failure that may pass is retried per the node's policy; the last one becomes an observation in state.
        const lastAttempt = attemptOf(config) >= (node.retry?.maxAttempts ?? 1);
        if (outcome.retryable && !lastAttempt) throw new Error(outcome.observation.replace(/^Error: \S+ failed: /, ''));
        return { [node.writeTo]: { error: outcome.observation } };
      };

    case 'router':
      return async (state, config) => {
        const matched = node.routes?.find((route) => evaluateCondition(route.when, state));
        if (matched || !node.choose) return { [CHOICES]: { [name]: matched?.to ?? node.default } };
        const options = Object.keys(node.choose.options);
        const result = await streamModel(
          runtime.llm,
          {
            messages: [
              { role: 'system', content: node.choose.system ? renderTemplate(node.choose.system, state) : `Choose exactly one option: ${options.join(', ')}.` },
              { role: 'user', content: renderTemplate(node.choose.prompt, state) },
            ],
            ...(node.choose.model ? { model: node.choose.model } : {}),
            responseFormat: {
              type: 'json_schema',
              name: 'choice',
              schema: { type: 'object', properties: { choice: { type: 'string', enum: options } }, required: ['choice'], additionalProperties: false },
            },
          },
          io,
          name,
          { signal: signalOf(config), intervalMs: runtime.modelOutputIntervalMs },
        );
        let choice: unknown;
        try {
          choice = (JSON.parse(result.content ?? '') as { choice?: unknown }).choice;
        } catch {
          choice = undefined;
        }
        const target = typeof choice === 'string' && choice in node.choose.options ? node.choose.options[choice]! : node.default;
        return { [CHOICES]: { [name]: target } };
      };

    case 'human':
      return async (state) => {
        const request: HumanRequest = {
          kind: 'human',
          node: name,
          prompt: renderTemplate(node.prompt, state),
          ...(node.answerSchema ? { answerSchema: node.answerSchema } : {}),
          ...(node.show ? { context: Object.fromEntries(node.show.map((key) => [key, state[key] ?? null])) } : {}),
        };
        const validator = node.answerSchema ? schemaValidator(node.answerSchema, `definition.nodes.${name}.answerSchema`) : null;
        // Each interrupt() call is answered by one resume, in order, so a rejected answer is asked again.
        let answer: unknown = interrupt(request);
        for (;;) {
          const checked = validator?.safeParse(answer);
          if (!checked || checked.success) return { [node.writeTo]: checked ? checked.data : answer };
          answer = interrupt({ ...request, error: `The answer was not accepted: ${describeIssues(checked.error)}` });
        }
      };

    case 'fanout':
      return async () => ({});

    case 'workflow':
      return async (state, config) => {
        if (!runtime.children) throw new Error(`Node "${name}" starts a child workflow, but this engine has no orchestrator to start it with (SWITCHYARD_WORKFLOWS_URL).`);
        const index = typeof state[FANOUT_INDEX] === 'number' ? state[FANOUT_INDEX] : 0;
        let child = await runtime.children.runUntilSettled({
          tenant: runtime.tenant,
          idempotencyKey: `lg:${runtime.workflowId}:${name}:${index}`,
          input: renderTemplate(node.input, state),
          framework: node.framework,
          definition: node.definition ?? null,
          signal: signalOf(config),
        });
        io.emit({ type: 'CHILD_WORKFLOW', step: name, agent: name, message: `child workflow ${child.id} is ${child.status}`, data: { workflowId: child.id, status: child.status } });
        while (child.status === 'WAITING_FOR_INPUT') {
          const answer = interrupt<HumanRequest, unknown>({
            kind: 'child-workflow',
            node: name,
            prompt: `The child workflow ${child.id} asks for input.`,
            childWorkflowId: child.id,
            context: { pendingInput: child.pendingInput },
          });
          await runtime.children.resume(runtime.tenant, child.id, answer);
          child = await runtime.children.runUntilSettled({
            tenant: runtime.tenant,
            idempotencyKey: `lg:${runtime.workflowId}:${name}:${index}`,
            input: renderTemplate(node.input, state),
            framework: node.framework,
            definition: node.definition ?? null,
            signal: signalOf(config),
          });
        }
        if (child.status !== 'SUCCEEDED') throw new Error(`The child workflow ${child.id} ended ${child.status}${child.error ? `: ${child.error}` : ''}.`);
        return { [node.writeTo]: child.output ?? '' };
      };

    case 'set':
      return async (state) => Object.fromEntries(Object.entries(node.values).map(([key, value]) => [key, renderValue(value, state)]));
  }
}

/**
 * A model node with tools: the model may call the tenant's tools (as LangChain tools, through the
 * platform registry) for up to `maxRounds` calls, each result going back as a tool message, until it
 * answers. Every call is a TOOL_CALL event; every model call a MODEL_CALL event.
 */
async function modelWithTools(
  name: string,
  toolNames: string[],
  maxRounds: number,
  messages: ChatMessage[],
  runtime: GraphRuntime,
  signal: AbortSignal,
  options: { model?: string; temperature?: number; maxTokens?: number },
): Promise<ChatResult> {
  const { io } = runtime;
  const available = runtime.tools.registry.only(toolNames);
  const onRecord = (record: ToolCallRecord) =>
    io.emit({ type: WorkflowEventType.TOOL_CALL, step: name, agent: name, message: record.ok ? `${record.tool} answered` : `${record.tool} failed: ${record.error}`, data: { ...record } });
  const lcTools = new Map(toLangChainTools(available, { ...runtime.tools.context, signal }, onRecord).map((tool) => [tool.name, tool]));
  const specs = available.specs();
  const transcript = [...messages];
  for (let round = 0; ; round++) {
    const finalRound = round >= maxRounds;
    const result = await callModel(runtime.llm, { ...options, messages: transcript, ...(finalRound || specs.length === 0 ? {} : { tools: specs }) }, io, name, signal);
    if (finalRound || result.toolCalls.length === 0) return result;
    transcript.push({ role: 'assistant', content: result.content, toolCalls: result.toolCalls });
    for (const call of result.toolCalls) {
      const tool = lcTools.get(call.name);
      let content: string;
      if (!tool) {
        content = `Error: the tool "${call.name}" is not available here. Use one of: ${[...lcTools.keys()].join(', ')}.`;
      } else {
        let args: unknown;
        try {
          args = call.arguments.trim() ? JSON.parse(call.arguments) : {};
        } catch {
          args = call.arguments;
        }
        try {
          const message = await tool.invoke({ type: 'tool_call', id: call.id, name: call.name, args: args as Record<string, unknown> }, { signal });
          content = typeof message.content === 'string' ? message.content : JSON.stringify(message.content);
        } catch (error) {
          if (!(error instanceof ToolInputParsingException)) throw error;
          // LangChain refuses arguments that miss the schema; the registry says what was wrong, as for every engine.
          content = (await runtime.tools.call(call.name, args, { signal, onRecord })).observation;
        }
      }
      transcript.push({ role: 'tool', toolCallId: call.id, content });
    }
  }
}
