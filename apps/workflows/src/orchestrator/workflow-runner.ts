import {
  CONTEXT_HEADER,
  EngineStreamMessage,
  PreconditionFailedError,
  WorkflowEventType,
  isTerminalStatus,
  FRAMEWORK_WORKFLOW_TYPE,
  type EngineEvent,
  type EngineRunResult,
  type Framework,
  type UniversalAgentState,
} from '@switchyard/contracts';
import type { Collection, Stored } from '@switchyard/store';
import { contextFromTraceHeaders, inSpan, trace, traceContext, traceHeaders, type ContextTokens, type Counter, type Logger, type ServiceEndpoints, type ServiceMetrics } from '@switchyard/service-kit';
import { WorkflowEndedError, type EventLog } from './event-log.ts';
import type { UsageForwarder } from './usage-forwarder.ts';
import type { HybridProgress, WorkflowDoc } from './workflow-documents.ts';
import { hybridHints, parseHybridDefinition, stageApplies, stageInput, type HybridContext } from './hybrid-plan.ts';

export interface RunnerOptions {
  replicaId: string;
  leaseMs: number;
  recoveryIntervalMs: number;
  engineUrls: Partial<Record<Framework, ServiceEndpoints>>;
  /** The selection service, told how recommended workflows end. */
  selectionUrl?: ServiceEndpoints;
  /** Meters model calls in billing. */
  usage?: UsageForwarder;
  /** Workflows by status and framework, runs driven, open work seen by the recovery pass. */
  metrics?: ServiceMetrics;
}

const MAX_DISPATCH_ATTEMPTS = 5;

/**
 * Drives workflows through their engines. A replica drives a workflow only while it holds the
 * workflow's lease (taken and renewed by conditional writes on the workflow document), so several
 * replicas can share one store; when a replica dies its leases expire and the recovery loop of
 * another replica picks the workflows up. Engines keep their own checkpoints, so re-dispatching an
 * interrupted run continues it instead of starting over.
 */
export class WorkflowRunner {
  private readonly active = new Map<string, AbortController>();
  /** Consecutive failures to reach the engine, per workflow: the backoff before the next try. */
  private readonly unreachable = new Map<string, number>();
  private recoveryTimer: NodeJS.Timeout | undefined;
  private stopping = false;
  /** What the last recovery pass saw: open workflows by status, and those whose lease had run out. */
  private lastPass = { QUEUED: 0, RUNNING: 0, unleased: 0 };
  private readonly ended: Counter<'framework' | 'status' | 'code'> | null;

  constructor(
    private readonly workflows: Collection<WorkflowDoc>,
    private readonly events: EventLog,
    private readonly tokens: ContextTokens,
    private readonly logger: Logger,
    private readonly options: RunnerOptions,
  ) {
    const metrics = options.metrics;
    this.ended = metrics?.counter('switchyard_workflow_transitions_total', 'Workflows reaching a resting status (SUCCEEDED, FAILED, CANCELLED, WAITING_FOR_INPUT), by framework, status and error code.', ['framework', 'status', 'code']) ?? null;
    metrics?.gauge('switchyard_workflow_runs_driven', 'Workflow runs this replica drives now (leases it holds).', [], (gauge) => gauge.set(this.active.size));
    metrics?.gauge('switchyard_workflows_open', 'Open workflows of all tenants by status, as the last recovery pass saw them (all replicas see the same).', ['status'], (gauge) => {
      gauge.set({ status: 'QUEUED' }, this.lastPass.QUEUED);
      gauge.set({ status: 'RUNNING' }, this.lastPass.RUNNING);
    });
    metrics?.gauge('switchyard_workflow_leases_expired', 'Open workflows whose lease had run out at the last recovery pass (waiting to be taken over).', [], (gauge) => gauge.set(this.lastPass.unleased));
  }

  startRecovery(): void {
    const tick = async () => {
      try {
        await this.recover();
      } catch (error) {
        this.logger.error({ err: error }, 'workflow recovery pass failed');
      }
      if (!this.stopping) this.recoveryTimer = setTimeout(tick, this.options.recoveryIntervalMs);
    };
    void tick();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.recoveryTimer);
    // Leave the leases to expire: another replica (or this one after a restart) continues the runs.
    for (const controller of this.active.values()) controller.abort(new Error('replica shutting down'));
  }

  /** Abort this replica's runs of these workflows and wait (up to timeoutMs) until they stopped writing. */
  async stopLocal(workflowIds: readonly string[], timeoutMs = 10_000): Promise<void> {
    for (const id of workflowIds) this.abortLocal(id);
    const until = Date.now() + timeoutMs;
    while (workflowIds.some((id) => this.active.has(id)) && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 25));
  }

  /** Abort this replica's run of a workflow (after a cancel). */
  abortLocal(workflowId: string): void {
    this.active.get(workflowId)?.abort(new Error('cancelled'));
  }

  /**
   * The lease a new workflow is created with: this replica's, so no other replica's recovery pass
   * starts it before its creator has written its first events and dispatched it.
   */
  creationLease(): { owner: string; expiresAt: number } {
    return { owner: this.options.replicaId, expiresAt: Date.now() + this.options.leaseMs };
  }

  /** Start driving a workflow in the background, if this replica can take its lease. */
  dispatch(tenantId: string, workflowId: string): void {
    if (this.active.has(workflowId) || this.stopping) return;
    void this.drive(tenantId, workflowId).catch((error: unknown) => {
      this.logger.error({ err: error, workflowId }, 'driving workflow failed');
    });
  }

  private async recover(): Promise<void> {
    let after: string | undefined;
    const seen = { QUEUED: 0, RUNNING: 0, unleased: 0 };
    do {
      const page = await this.workflows.queryAllTenants({ where: { status: { in: ['QUEUED', 'RUNNING'] } }, first: 200, after });
      for (const { doc } of page.items) {
        if (doc.status === 'QUEUED' || doc.status === 'RUNNING') seen[doc.status] += 1;
        if (!doc.lease || doc.lease.expiresAt < Date.now()) {
          seen.unleased += 1;
          this.dispatch(doc.tenantId, doc.id);
        }
      }
      after = page.hasNextPage && page.endCursor ? page.endCursor : undefined;
    } while (after);
    this.lastPass = seen;
  }

  private async takeLease(tenantId: string, workflowId: string): Promise<Stored<WorkflowDoc> | null> {
    const stored = await this.workflows.get(tenantId, workflowId);
    if (!stored) return null;
    const { doc } = stored;
    if (isTerminalStatus(doc.status) || (doc.status === 'WAITING_FOR_INPUT' && !doc.pendingResume)) return null;
    if (doc.lease && doc.lease.owner !== this.options.replicaId && doc.lease.expiresAt > Date.now()) return null;
    const leased = { ...doc, lease: { owner: this.options.replicaId, expiresAt: Date.now() + this.options.leaseMs } };
    try {
      return await this.workflows.replace(leased, { ifMatch: stored.etag });
    } catch (error) {
      if (error instanceof PreconditionFailedError) return null;
      throw error;
    }
  }

  /** Write a change to the workflow only while this replica still holds its lease. */
  private async update(tenantId: string, workflowId: string, change: (doc: WorkflowDoc) => WorkflowDoc | null): Promise<Stored<WorkflowDoc> | null> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const stored = await this.workflows.get(tenantId, workflowId);
      if (!stored || stored.doc.lease?.owner !== this.options.replicaId) return null;
      const next = change(stored.doc);
      if (!next) return null;
      try {
        return await this.workflows.replace({ ...next, updatedAt: new Date().toISOString() }, { ifMatch: stored.etag });
      } catch (error) {
        if (!(error instanceof PreconditionFailedError)) throw error;
      }
    }
    throw new Error(`workflow ${workflowId} is being changed too often to update`);
  }

  private async drive(tenantId: string, workflowId: string): Promise<void> {
    const leased = await this.takeLease(tenantId, workflowId);
    if (!leased) return;
    const controller = new AbortController();
    this.active.set(workflowId, controller);
    const renew = setInterval(() => {
      void this.update(tenantId, workflowId, (doc) =>
        isTerminalStatus(doc.status) ? null : { ...doc, lease: { owner: this.options.replicaId, expiresAt: Date.now() + this.options.leaseMs } },
      )
        .then((renewed) => {
          if (!renewed) controller.abort(new Error('lease lost or workflow finished'));
        })
        .catch((error: unknown) => this.logger.warn({ err: error, workflowId }, 'lease renewal failed'));
    }, Math.max(250, Math.floor(this.options.leaseMs / 3)));
    let outcome: 'done' | 'retry-later' = 'done';
    try {
      outcome = await this.tracedRun(leased.doc, () => this.runOnEngine(leased.doc, controller.signal));
    } catch (error) {
      // Another replica ended the workflow while this one still ran it: nothing is left to do.
      if (!(error instanceof WorkflowEndedError)) throw error;
    } finally {
      clearInterval(renew);
      this.active.delete(workflowId);
      // A retry keeps the short lease it set, so the next attempt waits for its backoff.
      if (outcome === 'done') await this.update(tenantId, workflowId, (doc) => ({ ...doc, lease: null })).catch(() => undefined);
    }
  }

  /**
   * One run of a workflow as a span in the trace the workflow was started in, whichever replica runs
   * it and however often it crashed before; a run asked for from another trace (a resume) links it.
   */
  private tracedRun(workflow: WorkflowDoc, run: () => Promise<'done' | 'retry-later'>): Promise<'done' | 'retry-later'> {
    const active = trace.getSpan(traceContext.active());
    if (!workflow.trace && !active?.isRecording()) return run();
    const parent = workflow.trace ? contextFromTraceHeaders(workflow.trace) : traceContext.active();
    const parentTraceId = trace.getSpanContext(parent)?.traceId;
    const caller = active?.spanContext();
    return inSpan(
      'workflow.run',
      {
        parent,
        attributes: {
          'switchyard.tenant.id': workflow.tenantId,
          'switchyard.workflow.id': workflow.id,
          'switchyard.framework': workflow.framework,
          // RUNNING when taken: an earlier run of it was cut off (a crash, a lost engine).
          'switchyard.workflow.resumed': workflow.status === 'RUNNING',
          'switchyard.workflow.dispatch_attempts': workflow.dispatchAttempts,
        },
        links: caller && caller.traceId !== parentTraceId ? [{ context: caller }] : [],
      },
      run,
    );
  }

  private async runOnEngine(workflow: WorkflowDoc, signal: AbortSignal): Promise<'done' | 'retry-later'> {
    const { tenantId, id: workflowId, framework } = workflow;
    const started = await this.update(tenantId, workflowId, (doc) => ({ ...doc, status: 'RUNNING' }));
    if (!started) return 'done';
    if (started.doc.dispatchAttempts >= MAX_DISPATCH_ATTEMPTS) {
      await this.finish(started.doc, { status: 'FAILED', error: `The ${framework} engine took this workflow ${MAX_DISPATCH_ATTEMPTS} times without finishing it; giving up.`, code: 'UNAVAILABLE' });
      return 'done';
    }
    if (framework === 'HYBRID') return this.runHybrid(started.doc, signal);
    const outcome = await this.callEngine(started.doc, framework, started.doc.state, started.doc.definition, started.doc.pendingResume?.value, signal, (event) => event);
    if (outcome.kind !== 'result') return outcome.kind === 'stopped' ? 'done' : 'retry-later';
    await this.finish(started.doc, outcome.result);
    return 'done';
  }

  /**
   * Run the stages of a HYBRID workflow one after another, each on its engine with its own
   * checkpoint thread, carrying outputs forward through the universal state. Progress is stored
   * after every stage, so a crash continues with the stage that was running.
   */
  private async runHybrid(workflow: WorkflowDoc, signal: AbortSignal): Promise<'done' | 'retry-later'> {
    const { tenantId, id: workflowId } = workflow;
    const plan = parseHybridDefinition(workflow.definition);
    let doc = workflow;
    const progress: HybridProgress = doc.hybrid ?? { nextStage: 0, startedStage: null, outputs: {} };
    const context: HybridContext = { input: doc.input, hints: hybridHints(doc.input, doc.state.workflowConfig), outputs: progress.outputs };
    let lastOutput = '';
    for (let index = progress.nextStage; index < plan.stages.length; index++) {
      const stage = plan.stages[index]!;
      if (!stageApplies(stage, context)) {
        await this.events.append(tenantId, workflowId, stage.framework, { type: 'STAGE_SKIPPED', step: stage.name, message: `Condition not met: ${JSON.stringify(stage.when)}` });
        const saved = await this.update(tenantId, workflowId, (current) => ({ ...current, hybrid: { ...progress, nextStage: index + 1 } }));
        if (!saved) return 'done';
        progress.nextStage = index + 1;
        continue;
      }
      if (progress.startedStage !== index) {
        await this.events.append(tenantId, workflowId, stage.framework, { type: 'STAGE_STARTED', step: stage.name, message: `${stage.name} on ${stage.framework}` });
        progress.startedStage = index;
        const saved = await this.update(tenantId, workflowId, (current) => ({ ...current, hybrid: { ...progress } }));
        if (!saved) return 'done';
        doc = saved.doc;
      }
      const stageState = {
        ...doc.state,
        workflowId: `${workflowId}~${stage.name}`,
        selectedFramework: stage.framework,
        workflowType: FRAMEWORK_WORKFLOW_TYPE[stage.framework],
        userInput: stageInput(stage, context),
      };
      const resume = doc.pendingResume?.value;
      const stageAttributes = { 'switchyard.workflow.id': workflowId, 'switchyard.framework': stage.framework, 'switchyard.stage': stage.name };
      const outcome = await inSpan(`stage ${stage.name}`, { attributes: stageAttributes }, () =>
        this.callEngine(doc, stage.framework, stageState, stage.definition ?? null, resume, signal, (event) => ({
          ...event,
          step: event.step ? `${stage.name}/${event.step}` : stage.name,
        })),
      );
      if (outcome.kind !== 'result') return outcome.kind === 'stopped' ? 'done' : 'retry-later';
      const { result } = outcome;
      if (result.status !== 'SUCCEEDED') {
        await this.finish(doc, result, stage.framework);
        return 'done';
      }
      lastOutput = result.output;
      context.outputs[stage.name] = result.output;
      progress.nextStage = index + 1;
      const saved = await this.update(tenantId, workflowId, (current) => ({
        ...current,
        pendingResume: null,
        // A finished stage is progress: the next stage's engine gets its own attempts.
        dispatchAttempts: 0,
        hybrid: { ...progress, outputs: { ...context.outputs } },
        state: {
          ...current.state,
          stepsCompleted: [...current.state.stepsCompleted, stage.name],
          currentStep: stage.name,
          frameworkStates: { ...current.state.frameworkStates, [stage.framework]: { ...(current.state.frameworkStates[stage.framework] ?? {}), [stage.name]: result.state ?? {} } },
          artifacts: [...current.state.artifacts, { name: stage.name, kind: 'stage-output', content: result.output }],
        },
      }));
      if (!saved) return 'done';
      doc = saved.doc;
      await this.events.append(tenantId, workflowId, stage.framework, { type: 'STAGE_COMPLETED', step: stage.name, message: result.output.slice(0, 500) });
    }
    await this.finish(doc, { status: 'SUCCEEDED', output: lastOutput || Object.values(context.outputs).at(-1) || '' });
    return 'done';
  }

  /** Post one run to an engine and store the events it streams back, in order, before anyone sees them. */
  private async callEngine(
    workflow: WorkflowDoc,
    framework: Framework,
    state: UniversalAgentState,
    definition: unknown,
    resume: unknown,
    signal: AbortSignal,
    decorate: (event: EngineEvent) => EngineEvent,
  ): Promise<{ kind: 'result'; result: EngineRunResult } | { kind: 'retry-later' } | { kind: 'stopped' }> {
    const { tenantId, id: workflowId } = workflow;
    const engineUrl = this.options.engineUrls[framework];
    if (!engineUrl) return { kind: 'result', result: { status: 'FAILED', error: `No engine is configured for ${framework}.`, code: 'UNAVAILABLE' } };
    // The key that started the workflow travels with the run, so its model calls also count against that key's budget.
    const context = { tenantId, role: 'DEVELOPER' as const, keyId: workflow.startedByKeyId ?? null, subject: 'service:workflows' };
    let result: EngineRunResult | null = null;
    let accepted = false;

    try {
      const response = await engineUrl.fetch('/engine/runs', {
        method: 'POST',
        headers: { 'content-type': 'application/json', [CONTEXT_HEADER]: await this.tokens.sign(context) },
        body: JSON.stringify({ state, definition, resume, ...(workflow.telemetry?.keepPrompts ? { telemetry: { keepPrompts: true } } : {}) }),
        signal,
        // Events are stored as they arrive; the stream is read to its end, or destroyed by breaking off.
        stream: true,
      });
      if (!response.ok) throw new Error(`engine answered HTTP ${response.status}: ${await response.text()}`);
      // Only runs the engine accepted count towards the limit; an engine that is down is waited for.
      accepted = true;
      this.unreachable.delete(workflowId);
      // The lines that arrived together (the engine writes a step's events at once) are stored as one write.
      const decoder = new TextDecoder();
      let buffered = '';
      const store = async (lines: string[]): Promise<EngineRunResult | null> => {
        let answer: EngineRunResult | null = null;
        const events: EngineEvent[] = [];
        for (const line of lines) {
          if (!line.trim()) continue;
          const message = EngineStreamMessage.parse(JSON.parse(line));
          if (message.kind === 'event') events.push(decorate(message.event));
          else answer = message.result;
        }
        if (events.length === 0 || signal.aborted) return answer;
        // A model call's usage is held for billing before its event is stored, so no crash loses it.
        await this.options.usage?.holdMany(tenantId, workflowId, framework, events);
        const stored = await this.events.appendMany(tenantId, workflowId, framework, events);
        for (const doc of stored) this.options.usage?.forward(doc);
        return answer;
      };
      for await (const chunk of response.nodeBody as AsyncIterable<Uint8Array>) {
        buffered += decoder.decode(chunk, { stream: true });
        const end = buffered.lastIndexOf('\n');
        if (end === -1) continue;
        const lines = buffered.slice(0, end).split('\n');
        buffered = buffered.slice(end + 1);
        if (signal.aborted) break;
        result = (await store(lines)) ?? result;
      }
      buffered += decoder.decode();
      if (!signal.aborted && buffered.trim()) result = (await store([buffered])) ?? result;
    } catch (error) {
      if (signal.aborted || error instanceof WorkflowEndedError) {
        // Stopped, or another replica finished the workflow while this one's lease had run out.
        this.logger.info({ workflowId, reason: signal.aborted ? String(signal.reason) : (error as Error).message }, 'engine run stopped');
        return { kind: 'stopped' };
      }
      const failures = accepted ? 0 : (this.unreachable.get(workflowId) ?? 0) + 1;
      if (!accepted) this.unreachable.set(workflowId, failures);
      const retryInMs = Math.min(500 * 2 ** Math.min(failures, 6), 30_000);
      this.logger.warn({ err: error, workflowId, retryInMs }, accepted ? 'engine run interrupted; will continue it' : 'engine unreachable; will retry');
      // Letting the lease run out soon hands the workflow to the recovery loop of any replica.
      // Only an engine run seen dying counts towards giving up (a workflow that keeps crashing its
      // engine is poison); a run lost because this orchestrator replica died is not seen, and not counted.
      await this.update(tenantId, workflowId, (doc) => ({ ...doc, ...(accepted ? { dispatchAttempts: doc.dispatchAttempts + 1 } : {}), lease: { owner: this.options.replicaId, expiresAt: Date.now() + retryInMs } }));
      return { kind: 'retry-later' };
    }
    if (signal.aborted) return { kind: 'stopped' };
    if (!result) {
      // The stream broke off without an answer: the engine died mid-run, which counts.
      this.logger.warn({ workflowId }, 'engine stream ended without a result; will retry');
      await this.update(tenantId, workflowId, (doc) => ({ ...doc, dispatchAttempts: doc.dispatchAttempts + 1, lease: { owner: this.options.replicaId, expiresAt: Date.now() + 1000 } }));
      return { kind: 'retry-later' };
    }
    if (result.status === 'FAILED' && result.code === 'UNAVAILABLE') {
      // The engine stopped because a dependency was down: not the workflow's fault, not counted; later, from the checkpoint.
      this.logger.warn({ workflowId, reason: result.error }, 'engine run stopped for an unavailable dependency; will retry');
      await this.update(tenantId, workflowId, (doc) => ({ ...doc, lease: { owner: this.options.replicaId, expiresAt: Date.now() + 1000 } }));
      return { kind: 'retry-later' };
    }
    return { kind: 'result', result };
  }

  /** Tell the recommender how a workflow it recommended a framework for ended (best effort). */
  private async reportOutcome(doc: WorkflowDoc): Promise<void> {
    const recommendationId = doc.recommendation?.recommendationId;
    if (!recommendationId || !this.options.selectionUrl) return;
    try {
      const context = { tenantId: doc.tenantId, role: 'DEVELOPER' as const, keyId: null, subject: 'service:workflows' };
      await this.options.selectionUrl.fetch('/internal/run-outcome', {
        method: 'POST',
        headers: { 'content-type': 'application/json', [CONTEXT_HEADER]: await this.tokens.sign(context) },
        body: JSON.stringify({
          recommendationId,
          workflowId: doc.id,
          framework: doc.framework,
          status: doc.status,
          latencyMs: Date.parse(doc.updatedAt) - Date.parse(doc.createdAt),
          costUsd: doc.state.costUsd,
        }),
        signal: AbortSignal.timeout(5000),
      });
    } catch (error) {
      this.logger.warn({ err: error, workflowId: doc.id }, 'could not report the run outcome to the recommender');
    }
  }

  private async finish(workflow: WorkflowDoc, result: EngineRunResult, stageFramework?: Framework): Promise<void> {
    const { tenantId, id: workflowId } = workflow;
    const framework = stageFramework ?? workflow.framework;
    const now = new Date().toISOString();
    const updated = await this.update(tenantId, workflowId, (doc) => {
      if (isTerminalStatus(doc.status)) return null;
      const state = { ...doc.state, ...(result.status !== 'FAILED' && result.status !== 'CANCELLED' && result.state ? { frameworkStates: { ...doc.state.frameworkStates, [framework]: result.state } } : {}) };
      switch (result.status) {
        case 'SUCCEEDED':
          return { ...doc, status: 'SUCCEEDED', output: result.output, pendingInput: null, pendingResume: null, state: { ...state, finalOutput: result.output, currentStep: 'completed', endTime: now } };
        case 'WAITING_FOR_INPUT':
          return { ...doc, status: 'WAITING_FOR_INPUT', pendingInput: result.pendingInput, pendingResume: null, dispatchAttempts: 0, state: { ...state, currentStep: 'waiting_for_input' } };
        case 'FAILED':
          return { ...doc, status: 'FAILED', error: result.error, errorCode: result.code ?? 'ENGINE_FAILED', state: { ...state, currentStep: 'failed', endTime: now, errors: [...state.errors, { error: result.error, code: result.code, framework, at: now }] } };
        case 'CANCELLED':
          return { ...doc, status: 'CANCELLED', state: { ...state, currentStep: 'cancelled', endTime: now } };
      }
    });
    if (!updated) return;
    this.ended?.inc({ framework, status: result.status, code: result.status === 'FAILED' ? (updated.doc.errorCode ?? 'ENGINE_FAILED') : '' });
    if (result.status !== 'WAITING_FOR_INPUT') void this.reportOutcome(updated.doc);
    const type = {
      SUCCEEDED: WorkflowEventType.WORKFLOW_SUCCEEDED,
      WAITING_FOR_INPUT: WorkflowEventType.WAITING_FOR_INPUT,
      FAILED: WorkflowEventType.WORKFLOW_FAILED,
      CANCELLED: WorkflowEventType.WORKFLOW_CANCELLED,
    }[result.status];
    const message = result.status === 'SUCCEEDED' ? 'Workflow succeeded' : result.status === 'FAILED' ? result.error : result.status === 'WAITING_FOR_INPUT' ? 'Waiting for input' : 'Workflow cancelled';
    await this.events.append(tenantId, workflowId, framework, {
      type,
      message,
      ...(result.status === 'WAITING_FOR_INPUT' ? { data: { pendingInput: result.pendingInput } } : {}),
    });
  }
}

/** The trace context a new workflow is stored with (none while tracing is off). */
export function storedTrace(): WorkflowDoc['trace'] {
  const { traceparent, tracestate } = traceHeaders();
  return traceparent ? { traceparent, ...(tracestate ? { tracestate } : {}) } : null;
}
