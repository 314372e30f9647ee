import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  BadUserInputError,
  ConflictError,
  ErrorCode,
  SwitchyardError,
  Framework,
  UnavailableError,
  NotFoundError,
  PreconditionFailedError,
  WorkflowEventType,
  WorkflowHints,
  WorkflowStatus,
  initialUniversalState,
  isTerminalStatus,
  type TenantContext,
  type UniversalAgentState,
} from '@switchyard/contracts';
import type { Collection, DocumentStore, Stored } from '@switchyard/store';
import { bucketStart, percentile, requireRole, requireTenant, seriesWindow, type ServiceClient, type TimeBucket } from '@switchyard/service-kit';
import type { EngineAvailability } from './engine-directory.ts';
import { WorkflowEndedError, type EventLog } from './event-log.ts';
import { parseHybridDefinition } from './hybrid-plan.ts';
import { QuotaGuard, type Quotas } from './quota-guard.ts';
import { REDACTED_TELEMETRY, type TelemetrySettings } from './tenant-telemetry.ts';
import { storedTrace, type WorkflowRunner } from './workflow-runner.ts';
import type { IdempotencyDoc, RecommendationSnapshot, WorkflowDoc } from './workflow-documents.ts';

/** Making a workflow takes well under a second; a claim this old without its workflow was abandoned by a crash. */
const STALE_IDEMPOTENCY_CLAIM_MS = 15_000;
const MAX_INPUT = 100_000;
const MAX_DEFINITION_BYTES = 256_000;

/** Says whether an engine can take workflows now (it serves the engine protocol). */
export interface EngineChecks {
  availability(framework: Framework, context: TenantContext): Promise<EngineAvailability>;
  validate(framework: Framework, definition: unknown, context: TenantContext): Promise<string[]>;
}

const StartWorkflowInput = z.object({
  input: z.string(),
  framework: Framework.nullish(),
  definition: z.unknown().nullish(),
  hints: WorkflowHints.nullish(),
  idempotencyKey: z.string().min(1).max(200).nullish(),
});

const RECOMMEND = /* GraphQL */ `
  query Recommend($input: RecommendFrameworkInput!) {
    recommendFramework(input: $input) { recommendationId framework confidence alternatives { framework probability } rationale modelVersion }
  }
`;

function describeIssues(error: z.ZodError, prefix: string): string {
  return error.issues.map((issue) => `${[prefix, ...issue.path].join('.')}: ${issue.message}`).join('; ');
}

/** startWorkflow, resumeWorkflow, cancelWorkflow and the reads: permission checks and validation live here. */
export class WorkflowManager {
  readonly workflows: Collection<WorkflowDoc>;
  private readonly idempotency: Collection<IdempotencyDoc>;
  private readonly quotaGuard: QuotaGuard;

  constructor(
    store: DocumentStore,
    private readonly events: EventLog,
    private readonly selection: ServiceClient,
    private readonly runner: () => WorkflowRunner,
    private readonly engines: EngineChecks,
    quotas: Quotas | ((tenantId: string) => Promise<Quotas>) = { runsPerMonth: Number.MAX_SAFE_INTEGER, concurrentWorkflows: Number.MAX_SAFE_INTEGER },
    private readonly budget: (context: TenantContext) => Promise<{ exhausted: boolean; limitUsd: number | null; spentUsd: number; scope?: 'TENANT' | 'API_KEY' }> = async () => ({ exhausted: false, limitUsd: null, spentUsd: 0 }),
    /** The tenant's telemetry settings now (never rejects); the workflow keeps them for all its runs. */
    private readonly telemetry: (tenantId: string) => Promise<TelemetrySettings> = async () => REDACTED_TELEMETRY,
  ) {
    this.quotaGuard = new QuotaGuard(store, quotas, (tenantId) => this.workflows.count(tenantId, { status: { in: ['QUEUED', 'RUNNING'] } }));
    this.workflows = store.collection<WorkflowDoc>('workflows', { indexes: ['status', 'createdAt', 'updatedAt'] });
    this.idempotency = store.collection<IdempotencyDoc>('idempotency_keys');
  }

  async get(context: TenantContext, id: string): Promise<WorkflowDoc | null> {
    requireRole(context, 'VIEWER', 'Reading workflows');
    const tenantId = requireTenant(context, 'Reading workflows');
    return (await this.workflows.get(tenantId, id))?.doc ?? null;
  }

  /**
   * Write the terminal event of a finished workflow that has none: the replica that finished it
   * stored its status and died before its terminal event, so its subscribers would wait for ever.
   * Called by a subscription that heard nothing for a while; the event log refuses a second end, so
   * this cannot race the replica that is about to write it.
   */
  async ensureTerminalEvent(tenantId: string, workflowId: string): Promise<boolean> {
    const doc = (await this.workflows.get(tenantId, workflowId))?.doc;
    if (!doc || !isTerminalStatus(doc.status)) return false;
    const type = { SUCCEEDED: WorkflowEventType.WORKFLOW_SUCCEEDED, FAILED: WorkflowEventType.WORKFLOW_FAILED, CANCELLED: WorkflowEventType.WORKFLOW_CANCELLED }[doc.status as 'SUCCEEDED' | 'FAILED' | 'CANCELLED'];
    const message = doc.status === 'SUCCEEDED' ? 'Workflow succeeded' : doc.status === 'FAILED' ? (doc.error ?? 'Workflow failed') : 'Workflow cancelled';
    try {
      await this.events.append(tenantId, workflowId, doc.framework, { type, message, data: { recovered: true } });
      return true;
    } catch (error) {
      if (error instanceof WorkflowEndedError) return false;
      throw error;
    }
  }

  async list(context: TenantContext, args: { first?: number | null; after?: string | null; status?: string | null; framework?: string | null }) {
    requireRole(context, 'VIEWER', 'Listing workflows');
    const tenantId = requireTenant(context, 'Listing workflows');
    const first = args.first ?? 20;
    if (first < 1 || first > 100) throw new BadUserInputError('first must be between 1 and 100.', { field: 'first' });
    const status = args.status ? WorkflowStatus.parse(args.status) : undefined;
    const framework = args.framework ? Framework.parse(args.framework) : undefined;
    const where = { ...(status ? { status } : {}), ...(framework ? { framework } : {}) };
    try {
      const page = await this.workflows.query(tenantId, {
        where: Object.keys(where).length > 0 ? where : undefined,
        orderBy: [{ field: 'createdAt', direction: 'desc' }],
        first,
        after: args.after ?? undefined,
      });
      return {
        edges: page.items.map((item, index) => ({ cursor: index === page.items.length - 1 && page.endCursor ? page.endCursor : item.doc.id, node: item.doc })),
        pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor },
      };
    } catch (error) {
      if (error instanceof BadUserInputError) throw error;
      if (args.after) throw new BadUserInputError('after is not a cursor from this list; pass pageInfo.endCursor of the previous page.', { field: 'after' });
      throw error;
    }
  }

  /** The tenant's workflows as points per bucket and framework (see Tenant.runSeries); another tenant's are never read. */
  async runSeries(context: TenantContext, tenantId: string, args: { from?: string | null; to?: string | null; bucket?: TimeBucket | null }) {
    requireRole(context, 'VIEWER', 'Reading workflow statistics');
    const window = seriesWindow(args);
    if (context.role !== 'PLATFORM_ADMIN' && context.tenantId !== tenantId) return [];
    const to = window.to.toISOString();
    const points = new Map<string, { start: string; framework: Framework; counts: Record<WorkflowStatus, number>; latencies: number[] }>();
    let after: string | undefined;
    do {
      const page = await this.workflows.query(tenantId, { where: { createdAt: { gte: window.from.toISOString() } }, first: 1000, after });
      for (const { doc } of page.items) {
        if (doc.createdAt >= to) continue;
        const start = bucketStart(doc.createdAt, window.bucket).toISOString();
        const key = `${start} ${doc.framework}`;
        let point = points.get(key);
        if (!point) points.set(key, (point = { start, framework: doc.framework, counts: { QUEUED: 0, RUNNING: 0, WAITING_FOR_INPUT: 0, SUCCEEDED: 0, FAILED: 0, CANCELLED: 0 }, latencies: [] }));
        point.counts[doc.status] += 1;
        if (isTerminalStatus(doc.status)) point.latencies.push(Date.parse(doc.updatedAt) - Date.parse(doc.createdAt));
      }
      after = page.hasNextPage && page.endCursor ? page.endCursor : undefined;
    } while (after);
    return [...points.values()]
      .sort((a, b) => a.start.localeCompare(b.start) || a.framework.localeCompare(b.framework))
      .map(({ start, framework, counts, latencies }) => {
        const ended = counts.SUCCEEDED + counts.FAILED + counts.CANCELLED;
        return {
          start,
          framework,
          started: Object.values(counts).reduce((sum, n) => sum + n, 0),
          succeeded: counts.SUCCEEDED,
          failed: counts.FAILED,
          cancelled: counts.CANCELLED,
          waitingForInput: counts.WAITING_FOR_INPUT,
          open: counts.QUEUED + counts.RUNNING,
          errorRate: ended > 0 ? counts.FAILED / ended : null,
          latencyP50Ms: percentile(latencies, 50),
          latencyP95Ms: percentile(latencies, 95),
        };
      });
  }

  async start(context: TenantContext, rawInput: unknown): Promise<WorkflowDoc> {
    requireRole(context, 'DEVELOPER', 'startWorkflow');
    const tenantId = requireTenant(context, 'startWorkflow');
    const parsed = StartWorkflowInput.safeParse(rawInput);
    if (!parsed.success) throw new BadUserInputError(`Invalid input: ${describeIssues(parsed.error, 'input')}`);
    const input = parsed.data;
    const text = input.input.trim();
    if (!text) throw new BadUserInputError('input.input is empty: say what the workflow should do.', { field: 'input.input' });
    if (text.length > MAX_INPUT) throw new BadUserInputError(`input.input is ${text.length} characters; the limit is ${MAX_INPUT}.`, { field: 'input.input' });
    const definition = input.definition ?? null;
    if (definition !== null && (typeof definition !== 'object' || Array.isArray(definition))) {
      throw new BadUserInputError('input.definition must be a JSON object (a graph, crew, team or hybrid definition) or null.', { field: 'input.definition' });
    }
    if (definition !== null && JSON.stringify(definition).length > MAX_DEFINITION_BYTES) {
      throw new BadUserInputError(`input.definition is larger than ${MAX_DEFINITION_BYTES} bytes.`, { field: 'input.definition' });
    }

    // Asked alongside the budget, so the start waits for neither twice.
    const telemetry = this.telemetry(tenantId);
    const budget = await this.budget(context);
    if (budget.exhausted) {
      throw new SwitchyardError(
        ErrorCode.BUDGET_EXCEEDED,
        budget.scope === 'API_KEY'
          ? `This API key's monthly budget of $${(budget.limitUsd ?? 0).toFixed(4)} is spent ($${budget.spentUsd.toFixed(4)}); a tenant admin can raise it with setApiKeyBudget, or wait for next month.`
          : `The tenant's monthly budget of $${(budget.limitUsd ?? 0).toFixed(4)} is spent ($${budget.spentUsd.toFixed(4)}); raise it with setBudget or wait for next month.`,
        { limitUsd: budget.limitUsd, spentUsd: budget.spentUsd, scope: budget.scope ?? 'TENANT' },
      );
    }

    const id = randomUUID();
    if (input.idempotencyKey) {
      const existing = await this.claimIdempotencyKey(tenantId, input.idempotencyKey, id);
      if (existing) return existing;
      try {
        return await this.create(context, tenantId, id, input, text, definition, telemetry);
      } catch (error) {
        // The key was claimed for a workflow that was not made: free it, so a retry can make it.
        if (!(await this.workflows.get(tenantId, id))) await this.idempotency.delete(tenantId, input.idempotencyKey).catch(() => undefined);
        throw error;
      }
    }
    return this.create(context, tenantId, id, input, text, definition, telemetry);
  }

  private async create(
    context: TenantContext,
    tenantId: string,
    id: string,
    input: z.infer<typeof StartWorkflowInput>,
    text: string,
    definition: object | null,
    telemetry: Promise<TelemetrySettings>,
  ): Promise<WorkflowDoc> {

    let framework = input.framework ?? null;
    let recommendation: RecommendationSnapshot | null = null;
    if (!framework) {
      const answer = await this.selection.request<{ recommendFramework: RecommendationSnapshot }>(
        RECOMMEND,
        { input: { description: text, hints: input.hints ?? null } },
        context,
      );
      recommendation = answer.recommendFramework;
      framework = recommendation.framework;
    }
    let fallbackNote: string | null = null;
    const missing = await this.unavailableEngines(framework, definition, context);
    if (missing.length > 0) {
      if (input.framework || (await this.unavailableEngines('LANGGRAPH', null, context)).length > 0) {
        if (input.idempotencyKey) await this.idempotency.delete(tenantId, input.idempotencyKey);
        const names = missing.map((m) => m.framework).join(' and ');
        // An engine this deployment lacks is the caller's to avoid; one that is down is a moment's wait.
        if (missing.every((m) => m.availability === 'NOT_CONFIGURED')) {
          throw new BadUserInputError(`The ${names} engine is not part of this deployment; name another framework.`, { field: 'input.framework' });
        }
        throw new UnavailableError(`The ${names} engine cannot take workflows right now; retry shortly or name another framework.`);
      }
      // The blueprint's default engine takes the work when the recommended one cannot.
      fallbackNote = `the recommended ${framework} engine cannot run workflows now; running on LANGGRAPH`;
      framework = 'LANGGRAPH';
    }
    const problems =
      framework === 'HYBRID'
        ? (await Promise.all(parseHybridDefinition(definition).stages.map(async (stage, index) => (await this.engines.validate(stage.framework, stage.definition ?? null, context)).map((p) => p.replace(/^definition/, `definition.stages.${index}.definition`))))).flat()
        : await this.engines.validate(framework, definition, context);
    if (problems.length > 0) {
      if (input.idempotencyKey) await this.idempotency.delete(tenantId, input.idempotencyKey);
      throw new BadUserInputError(`Invalid ${framework} definition: ${problems.map((p) => `input.${p}`).join('; ')}`, { field: 'input.definition', problems });
    }

    let admission: Awaited<ReturnType<QuotaGuard['admit']>>;
    try {
      admission = await this.quotaGuard.admit(tenantId);
    } catch (error) {
      if (input.idempotencyKey) await this.idempotency.delete(tenantId, input.idempotencyKey);
      throw error;
    }

    const now = new Date().toISOString();
    const state: UniversalAgentState = initialUniversalState({
      tenantId,
      workflowId: id,
      userId: context.subject,
      framework,
      confidence: recommendation && recommendation.framework === framework ? recommendation.confidence : 1,
      input: text,
      config: { ...(input.hints ?? {}), ...(definition ? { definition } : {}) },
      now,
    });
    const doc: WorkflowDoc = {
      id,
      tenantId,
      status: 'QUEUED',
      input: text,
      framework,
      recommendation,
      definition,
      output: null,
      state,
      pendingInput: null,
      pendingResume: null,
      error: null,
      errorCode: null,
      idempotencyKey: input.idempotencyKey ?? null,
      startedByKeyId: context.keyId ?? null,
      createdAt: now,
      updatedAt: now,
      // Held by this replica until it has written the first events and dispatched the run; if it
      // dies before that, the lease runs out and another replica's recovery pass starts the run.
      lease: this.runner().creationLease(),
      dispatchAttempts: 0,
      hybrid: framework === 'HYBRID' ? { nextStage: 0, startedStage: null, outputs: {} } : null,
      trace: storedTrace(),
      telemetry: await telemetry,
    };
    try {
      await this.workflows.create(doc);
    } catch (error) {
      await admission.release();
      throw error;
    }
    await this.events.append(tenantId, id, framework, { type: WorkflowEventType.WORKFLOW_STARTED, message: text.slice(0, 500) });
    await this.events.append(tenantId, id, framework, {
      type: WorkflowEventType.FRAMEWORK_SELECTED,
      message: recommendation
        ? `${framework} selected by the recommender (${recommendation.modelVersion}, confidence ${recommendation.confidence.toFixed(2)})${fallbackNote ? `: ${fallbackNote}` : ''}`
        : `${framework} named by the caller`,
      data: { framework, source: recommendation ? 'recommender' : 'caller', ...(recommendation ? { recommendation } : {}) },
    });
    this.runner().dispatch(tenantId, id);
    return doc;
  }

  async resume(context: TenantContext, id: string, response: unknown): Promise<WorkflowDoc> {
    requireRole(context, 'DEVELOPER', 'resumeWorkflow');
    const tenantId = requireTenant(context, 'resumeWorkflow');
    const updated = await this.change(tenantId, id, (doc) => {
      if (doc.status !== 'WAITING_FOR_INPUT' || doc.pendingResume) {
        throw new ConflictError(`Workflow ${id} is ${doc.status}, not WAITING_FOR_INPUT; only a waiting workflow can be resumed.`);
      }
      return { ...doc, pendingResume: { value: response }, status: 'QUEUED', pendingInput: null, lease: null };
    });
    await this.events.append(tenantId, id, updated.framework, { type: WorkflowEventType.RESUMED, message: 'Input received', data: { response } });
    this.runner().dispatch(tenantId, id);
    return updated;
  }

  async cancel(context: TenantContext, id: string): Promise<WorkflowDoc> {
    requireRole(context, 'DEVELOPER', 'cancelWorkflow');
    const tenantId = requireTenant(context, 'cancelWorkflow');
    let alreadyFinished = false;
    const updated = await this.change(tenantId, id, (doc) => {
      if (isTerminalStatus(doc.status)) {
        alreadyFinished = true;
        return null;
      }
      const now = new Date().toISOString();
      return { ...doc, status: 'CANCELLED', pendingResume: null, state: { ...doc.state, currentStep: 'cancelled', endTime: now } };
    });
    if (alreadyFinished) throw new ConflictError(`Workflow ${id} already finished as ${updated.status}; there is nothing to cancel.`);
    this.runner().abortLocal(id);
    await this.events.append(tenantId, id, updated.framework, { type: WorkflowEventType.WORKFLOW_CANCELLED, message: 'Cancelled by request' });
    return updated;
  }

  /**
   * Before a tenant is erased: cancel every open workflow of it and stop this replica's runs of them
   * (another replica's run stops at its next lease renewal, and its writes are refused by then).
   */
  async cancelAllForErasure(tenantId: string): Promise<number> {
    const context: TenantContext = { tenantId, role: 'TENANT_ADMIN', keyId: null, subject: 'service:tenants' };
    const ids: string[] = [];
    for (;;) {
      const page = await this.workflows.query(tenantId, { where: { status: { in: ['QUEUED', 'RUNNING', 'WAITING_FOR_INPUT'] } }, first: 200 });
      const fresh = page.items.filter(({ doc }) => !ids.includes(doc.id));
      if (fresh.length === 0) break;
      for (const { doc } of fresh) {
        ids.push(doc.id);
        await this.cancel(context, doc.id).catch((error: unknown) => {
          if (!(error instanceof ConflictError || error instanceof NotFoundError)) throw error;
        });
      }
    }
    await this.runner().stopLocal(ids);
    return ids.length;
  }

  async listEvents(context: TenantContext, workflow: WorkflowDoc, afterSequence?: number | null, first?: number | null) {
    requireRole(context, 'VIEWER', 'Reading workflow events');
    if (context.tenantId !== workflow.tenantId) return [];
    return this.events.list(workflow.tenantId, workflow.id, afterSequence ?? 0, first ?? 500);
  }

  /** The engines a workflow on `framework` needs that cannot take work now, and why (every stage's, for HYBRID). */
  private async unavailableEngines(framework: Framework, definition: unknown, context: TenantContext): Promise<{ framework: Framework; availability: EngineAvailability }[]> {
    const needed: Framework[] = framework === 'HYBRID' ? [...new Set(parseHybridDefinition(definition).stages.map((stage) => stage.framework))] : [framework];
    const answers = await Promise.all(needed.map(async (f) => ({ framework: f, availability: await this.engines.availability(f, context) })));
    return answers.filter((answer) => answer.availability !== 'AVAILABLE');
  }

  /** Apply a change with optimistic concurrency; `change` returning null leaves the document as it is. */
  private async change(tenantId: string, id: string, change: (doc: WorkflowDoc) => WorkflowDoc | null): Promise<WorkflowDoc> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const stored: Stored<WorkflowDoc> | null = await this.workflows.get(tenantId, id);
      if (!stored) throw new NotFoundError('Workflow', id);
      const next = change(stored.doc);
      if (!next) return stored.doc;
      try {
        return (await this.workflows.replace({ ...next, updatedAt: new Date().toISOString() }, { ifMatch: stored.etag })).doc;
      } catch (error) {
        if (!(error instanceof PreconditionFailedError)) throw error;
      }
    }
    throw new ConflictError(`Workflow ${id} is changing too fast to update; retry.`);
  }

  /**
   * Claim an idempotency key for a new workflow (null: claimed), or return the workflow it already
   * made. The first request with the key may still be making it: wait briefly. A claim whose
   * workflow never appeared (its replica died in between) is taken over once it is clearly stale.
   */
  private async claimIdempotencyKey(tenantId: string, key: string, workflowId: string): Promise<WorkflowDoc | null> {
    for (let attempt = 0; attempt < 50; attempt++) {
      try {
        await this.idempotency.create({ id: key, tenantId, workflowId, createdAt: new Date().toISOString() });
        return null;
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
      }
      const entry = await this.idempotency.get(tenantId, key);
      if (!entry) continue;
      const existing = await this.workflows.get(tenantId, entry.doc.workflowId);
      if (existing) return existing.doc;
      const age = Date.now() - Date.parse(entry.doc.createdAt ?? '1970-01-01T00:00:00Z');
      if (age > STALE_IDEMPOTENCY_CLAIM_MS) {
        await this.idempotency.delete(tenantId, key, { ifMatch: entry.etag }).catch((error: unknown) => {
          if (!(error instanceof PreconditionFailedError)) throw error;
        });
        continue;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new ConflictError(`A workflow with idempotencyKey "${key}" is still being created; retry shortly.`);
  }
}
