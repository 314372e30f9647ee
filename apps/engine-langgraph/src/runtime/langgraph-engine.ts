import type { TenantContext } from '@switchyard/contracts';
import { Command, GraphRecursionError, isNodeTimeoutError, type BaseCheckpointSaver, type StateSnapshot } from '@langchain/langgraph';
import type { LlmClient } from '@switchyard/llm';
import type { DocumentStore } from '@switchyard/store';
import { StoreCheckpointSaver } from '@switchyard/langgraph-checkpoint';
import { SwitchyardError, WorkflowEventType, type EngineRunRequest, type EngineRunResult } from '@switchyard/contracts';
import { LocalSandboxExecutor } from '@switchyard/code-sandbox';
import { ToolRegistry } from '@switchyard/tools';
import { TenantToolbox, isTransientFailure, type Engine, type EngineRunIO, type RunTools } from '@switchyard/engine-kit';
import { filterListTool } from '../tools/filter-list.ts';
import { InvalidGraphDefinitionError, checkGraphDefinition } from '../definitions/definition-checks.ts';
import type { GraphDefinition } from '../definitions/graph-definition.ts';
import { GraphDefinitionStore } from '../definitions/graph-definition-store.ts';
import { compileGraph, type GraphValues } from '../graphs/graph-compiler.ts';
import { buildPlanAndExecuteGraph, type PlanAndExecuteState } from '../graphs/plan-and-execute.ts';
import { fromGraphState, fromNativeState, publicValues, toNativeState } from '../graphs/state-translation.ts';
import { GRAPH_TEMPLATES, PLAN_AND_EXECUTE, TEMPLATE_NAMES, pickTemplate } from '../graphs/templates/index.ts';
import { forkThread, listCheckpoints, type GraphCheckpointView, type HistoryGraph } from '../history/checkpoint-history.ts';
import type { ChildWorkflows } from '@switchyard/engine-kit';
import { eventsFromChunk } from './graph-events.ts';
import type { ModelCallIO } from './model-calls.ts';
import { RunRecords, type GraphSource, type RunGraph, type RunRecord } from './run-records.ts';

export interface LangGraphEngineOptions {
  llm: LlmClient;
  store: DocumentStore;
  /** Graph steps a run may take (a definition's own recursionLimit wins). */
  recursionLimit: number;
  /** The tenant's tools for each run; without the tenants service, the platform's default tools (and filter_list). */
  toolbox?: TenantToolbox;
  /** How `workflow` nodes start child workflows; null when no orchestrator is reachable. */
  children?: ChildWorkflows | null;
  /** How often streamed model output is reported as a MODEL_OUTPUT event (ms). Default 500. */
  modelOutputIntervalMs?: number;
}

/** A definition problem found before anything ran. */
class BadDefinition extends Error {}

/** The graph of one run, compiled, with how to read its result. */
interface CompiledRun {
  graph: HistoryGraph & {
    stream(input: unknown, options: Record<string, unknown>): Promise<AsyncIterable<unknown>>;
  };
  /** Whether nodes report their own steps (plan-and-execute) instead of the "tasks" stream. */
  ownSteps: boolean;
  recursionLimit: number;
  finished(values: Record<string, unknown>): { output: string; frameworkState: Record<string, unknown> };
  visible(values: Record<string, unknown>): Record<string, unknown>;
}

const noopIO: ModelCallIO = { emit: () => undefined, signal: new AbortController().signal };

/**
 * Runs workflows as LangGraph StateGraphs checkpointed in the platform's store (thread = workflow),
 * with durability "sync": every step is stored before the next starts. A workflow names its graph
 * (a stored definition, an inline graph, a template, a fork of another run) or gets the template
 * that fits its input. Posting the same workflow again continues from its last checkpoint, and a
 * waiting human step continues with the answer.
 */
export class LangGraphEngine implements Engine {
  private readonly runs: RunRecords;
  private readonly definitions: GraphDefinitionStore;
  readonly toolbox: TenantToolbox;

  constructor(private readonly options: LangGraphEngineOptions) {
    this.runs = new RunRecords(options.store);
    this.definitions = new GraphDefinitionStore(options.store);
    this.toolbox = options.toolbox ?? new TenantToolbox({ subject: 'service:engine-langgraph', codeExecutor: new LocalSandboxExecutor(), engineTools: [filterListTool] });
  }

  /** The orchestrator asks this before it accepts a workflow, so a bad graph is refused at startWorkflow. */
  async validate(definition: unknown, tenant: TenantContext): Promise<string[]> {
    if (definition === null || definition === undefined || !tenant.tenantId) return [];
    const probe = { state: { tenantId: tenant.tenantId, userInput: '' }, definition } as unknown as EngineRunRequest;
    try {
      const resolved = await this.resolveGraph(probe);
      if (resolved.graph.kind === 'declarative') checkGraphDefinition(resolved.graph.definition, { tools: await this.toolbox.toolNames(tenant) });
      return [];
    } catch (error) {
      if (error instanceof InvalidGraphDefinitionError) return error.problems;
      if (error instanceof BadDefinition) return [error.message];
      throw error;
    }
  }

  async run(request: EngineRunRequest, io: EngineRunIO): Promise<EngineRunResult> {
    const { state } = request;
    const checkpointer = new StoreCheckpointSaver(this.options.store, { tenantId: state.tenantId });
    let record: RunRecord;
    let compiled: CompiledRun;
    const tools = await this.toolbox.forRun(io.tenant, state.workflowId, io.signal);
    try {
      const existing = await this.runs.get(state.tenantId, state.workflowId);
      if (existing) {
        record = existing;
      } else {
        const fresh = await this.newRunRecord(request);
        if (fresh.graph.kind === 'declarative') checkGraphDefinition(fresh.graph.definition, { tools: tools.registry.names() });
        record = await this.runs.create(fresh);
      }
      compiled = this.compile(record, { io, tenant: io.tenant, workflowId: state.workflowId, tools }, checkpointer);
    } catch (error) {
      if (error instanceof BadDefinition || error instanceof InvalidGraphDefinitionError) return { status: 'FAILED', error: error.message, code: 'BAD_DEFINITION' };
      throw error;
    }
    const config = { configurable: { thread_id: state.workflowId }, signal: io.signal, recursionLimit: compiled.recursionLimit, durability: 'sync' as const };

    if (record.forkOf && !record.forkCompleted) {
      try {
        await forkThread(compiled.graph, checkpointer, { threadId: record.forkOf.workflowId, checkpointId: record.forkOf.checkpointId }, state.workflowId, record.forkOf.values);
      } catch (error) {
        return { status: 'FAILED', error: `Cannot fork: ${(error as Error).message}`, code: 'BAD_DEFINITION' };
      }
      await this.runs.markForkCompleted(record);
      io.emit({ type: 'FORKED', message: `Forked from workflow ${record.forkOf.workflowId} at checkpoint ${record.forkOf.checkpointId}`, data: { ...record.forkOf } });
    }

    const before = await compiled.graph.getState(config);
    let input: unknown;
    const waiting = pendingInterrupts(before);
    if (!before.createdAt) {
      input = toNativeState(state);
    } else if (waiting.length > 0) {
      if (request.resume === undefined) return { status: 'WAITING_FOR_INPUT', pendingInput: waiting[0], state: compiled.finished(before.values as GraphValues).frameworkState };
      input = new Command({ resume: request.resume });
    } else if (before.next.length > 0 || before.tasks.length > 0) {
      // `next` leaves out tasks whose writes are saved: a crash after a step's nodes finished but
      // before its checkpoint leaves only `tasks`, and the run is not finished; resuming applies them.
      io.emit({ type: WorkflowEventType.STEP_STARTED, step: 'recovery', message: `Continuing from checkpoint before ${before.next.join(', ')}` });
      input = null;
    } else {
      return this.succeeded(compiled, before);
    }

    try {
      const stream = await compiled.graph.stream(input, { ...config, streamMode: compiled.ownSteps ? ['updates'] : ['tasks', 'updates'] });
      for await (const chunk of stream) {
        const [mode, payload] = chunk as [string, unknown];
        for (const event of eventsFromChunk(mode, payload, { steps: !compiled.ownSteps })) io.emit(event);
      }
    } catch (error) {
      if (io.signal.aborted) throw error;
      if (error instanceof GraphRecursionError) {
        return { status: 'FAILED', error: `The graph took more than ${compiled.recursionLimit} steps; it may loop without an exit.`, code: 'RECURSION_LIMIT' };
      }
      if (isNodeTimeoutError(error)) return { status: 'FAILED', error: (error as Error).message, code: 'NODE_TIMEOUT' };
      // A dependency that is down is no fault of the graph: the orchestrator runs it again from its checkpoint.
      if (isTransientFailure(error)) throw error;
      io.logger.warn({ err: error }, 'graph run failed');
      // A refusal with the API's own code (a budget, a tenant limit) keeps it; any other node error is NODE_FAILED.
      return { status: 'FAILED', error: (error as Error).message, code: error instanceof SwitchyardError ? error.code : 'NODE_FAILED' };
    }
    const after = await compiled.graph.getState(config);
    const interrupts = pendingInterrupts(after);
    if (interrupts.length > 0) return { status: 'WAITING_FOR_INPUT', pendingInput: interrupts[0], state: compiled.finished(after.values as GraphValues).frameworkState };
    return this.succeeded(compiled, after);
  }

  /** A workflow's checkpoints, newest first; empty when this engine never ran it for the tenant. */
  async checkpoints(tenantId: string, workflowId: string): Promise<GraphCheckpointView[]> {
    const record = await this.runs.get(tenantId, workflowId);
    if (!record) return [];
    const checkpointer = new StoreCheckpointSaver(this.options.store, { tenantId });
    // Reading history runs no node, so it needs no tools.
    const noTools: RunTools = { registry: new ToolRegistry(), context: { tenantId, workflowId, signal: noopIO.signal, secrets: { get: async () => undefined }, config: {} }, call: () => Promise.reject(new Error('history runs no tools')) };
    const compiled = this.compile(record, { io: noopIO, tenant: { tenantId, role: 'VIEWER', keyId: null, subject: 'history' }, workflowId, tools: noTools }, checkpointer);
    return listCheckpoints(compiled.graph, workflowId, compiled.visible);
  }

  /** The run record of a workflow (for fork checks), or null. */
  runRecord(tenantId: string, workflowId: string): Promise<RunRecord | null> {
    return this.runs.get(tenantId, workflowId);
  }

  /** The state keys a fork of this run may edit. */
  stateKeys(record: RunRecord): string[] {
    if (record.graph.kind === 'plan-and-execute') return ['input', 'plan', 'results', 'output'];
    return ['input', ...Object.keys(this.checked(record.graph.definition).state)];
  }

  private succeeded(compiled: CompiledRun, snapshot: StateSnapshot): EngineRunResult {
    const { output, frameworkState } = compiled.finished(snapshot.values as GraphValues);
    return { status: 'SUCCEEDED', output, state: frameworkState };
  }

  /** The run graph of a declarative definition, checked first (the definition is kept as written). */
  private declarative(raw: unknown): RunGraph {
    this.checked(raw);
    return { kind: 'declarative', definition: raw as Record<string, unknown> };
  }

  private checked(definition: unknown): GraphDefinition {
    return checkGraphDefinition(definition, { tools: null });
  }

  private async newRunRecord(request: EngineRunRequest): Promise<RunRecord> {
    const { state } = request;
    const base = { id: state.workflowId, tenantId: state.tenantId, input: state.userInput, forkOf: null, forkCompleted: false, createdAt: new Date().toISOString() };
    const resolved = await this.resolveGraph(request);
    return { ...base, ...resolved };
  }

  /** What the workflow's definition names, checked before anything runs. */
  private async resolveGraph(request: EngineRunRequest): Promise<Pick<RunRecord, 'graph' | 'source' | 'forkOf'>> {
    const definition = request.definition;
    const template = (name: string, chosenBy: 'definition' | 'input'): Pick<RunRecord, 'graph' | 'source' | 'forkOf'> => {
      const source: GraphSource = { kind: 'template', name, chosenBy };
      if (name === PLAN_AND_EXECUTE) return { graph: { kind: 'plan-and-execute' }, source, forkOf: null };
      const graph = GRAPH_TEMPLATES[name];
      if (!graph) throw new BadDefinition(`definition.template: no template named ${JSON.stringify(name)}; templates: ${TEMPLATE_NAMES.join(', ')}`);
      return { graph: this.declarative(graph as Record<string, unknown>), source, forkOf: null };
    };
    if (definition === null || definition === undefined) return template(pickTemplate(request.state.userInput), 'input');
    if (typeof definition !== 'object' || Array.isArray(definition)) throw new BadDefinition('definition: must be a JSON object');
    const d = definition as Record<string, unknown>;
    const keys = ['template', 'graph', 'definitionId', 'forkOf'].filter((key) => key in d);
    if (keys.length > 1) throw new BadDefinition(`definition: name one of ${keys.join(', ')}, not several`);
    if (typeof d['template'] === 'string') return template(d['template'], 'definition');
    if ('graph' in d) return { graph: this.declarative(d['graph']), source: { kind: 'inline' }, forkOf: null };
    if ('definitionId' in d) {
      const id = d['definitionId'];
      const version = d['version'];
      if (typeof id !== 'string' || !id) throw new BadDefinition('definition.definitionId: must be the id of a graph definition');
      if (version !== undefined && version !== null && (!Number.isInteger(version) || (version as number) < 1)) throw new BadDefinition('definition.version: must be a version number (1 or more)');
      const stored = await this.definitions.get(request.state.tenantId, id, version as number | undefined);
      if (!stored) throw new BadDefinition(`definition.definitionId: no graph definition ${JSON.stringify(id)}${version ? ` with version ${String(version)}` : ''} for this tenant`);
      return { graph: this.declarative(stored.definition), source: { kind: 'stored', definitionId: id, version: stored.version }, forkOf: null };
    }
    if ('forkOf' in d) {
      const fork = d['forkOf'] as { workflowId?: unknown; checkpointId?: unknown; values?: unknown } | null;
      if (!fork || typeof fork.workflowId !== 'string' || typeof fork.checkpointId !== 'string') throw new BadDefinition('definition.forkOf: needs workflowId and checkpointId');
      const values = fork.values ?? {};
      if (typeof values !== 'object' || values === null || Array.isArray(values)) throw new BadDefinition('definition.forkOf.values: must be an object of state keys');
      const origin = await this.runs.get(request.state.tenantId, fork.workflowId);
      if (!origin) throw new BadDefinition(`definition.forkOf.workflowId: no LangGraph run of workflow ${JSON.stringify(fork.workflowId)} for this tenant`);
      const allowed = new Set(this.stateKeys(origin));
      const unknown = Object.keys(values).filter((key) => !allowed.has(key));
      if (unknown.length > 0) throw new BadDefinition(`definition.forkOf.values.${unknown[0]}: not a state key of the graph; keys: ${[...allowed].join(', ')}`);
      return {
        graph: origin.graph,
        source: { kind: 'fork', workflowId: fork.workflowId, checkpointId: fork.checkpointId },
        forkOf: { workflowId: fork.workflowId, checkpointId: fork.checkpointId, values: values as Record<string, unknown> },
      };
    }
    if ('nodes' in d && 'entry' in d) return { graph: this.declarative(d), source: { kind: 'inline' }, forkOf: null };
    throw new BadDefinition('definition: name a graph as {"definitionId": "...", "version": N}, {"graph": {...}} or {"template": "<name>"}');
  }

  private compile(record: RunRecord, run: { io: ModelCallIO; tenant: EngineRunIO['tenant']; workflowId: string; tools: RunTools }, checkpointer: BaseCheckpointSaver): CompiledRun {
    const graph: RunGraph = record.graph;
    if (graph.kind === 'plan-and-execute') {
      const compiled = buildPlanAndExecuteGraph(this.options.llm, checkpointer, run.io);
      return {
        graph: compiled as unknown as CompiledRun['graph'],
        ownSteps: true,
        recursionLimit: this.options.recursionLimit,
        finished: (values) => fromNativeState(values as PlanAndExecuteState),
        visible: (values) => values,
      };
    }
    const definition = this.checked(graph.definition);
    const compiled = compileGraph(
      definition,
      {
        llm: this.options.llm,
        tools: run.tools,
        children: this.options.children ?? null,
        io: run.io,
        tenant: run.tenant,
        workflowId: run.workflowId,
        ...(this.options.modelOutputIntervalMs !== undefined ? { modelOutputIntervalMs: this.options.modelOutputIntervalMs } : {}),
      },
      checkpointer,
    );
    return {
      graph: compiled as unknown as CompiledRun['graph'],
      ownSteps: false,
      recursionLimit: definition.recursionLimit ?? this.options.recursionLimit,
      finished: (values) => fromGraphState(definition, values, record.source),
      visible: publicValues,
    };
  }
}


function pendingInterrupts(snapshot: StateSnapshot): unknown[] {
  return snapshot.tasks.flatMap((task) => task.interrupts.map((i) => i.value));
}
