import { CONTEXT_HEADER, ModelCallData, type EngineEvent, type Framework, type WorkflowEventRecord } from '@switchyard/contracts';
import type { ContextTokens, Logger, ServiceEndpoints } from '@switchyard/service-kit';
import { MAX_BATCH_OPERATIONS, type Collection, type DocumentStore } from '@switchyard/store';

/** A model call's usage on its way to billing: stored before its event, deleted once billing has it. */
interface UsageOutboxDoc {
  /** The call's id: billing records each call once by it. */
  id: string;
  tenantId: string;
  workflowId: string;
  body: Record<string, unknown>;
  /** When it was written; the drain leaves young records to the immediate send. */
  queuedAt: number;
}

export interface UsageForwarderOptions {
  /** How often the outbox is drained of records the immediate send did not deliver (default 5 s). */
  drainIntervalMs?: number;
  /** Records younger than this are left to the immediate send (default 10 s). */
  graceMs?: number;
  /** How long the immediate send gathers a tenant's records into one request (default 20 ms). */
  batchDelayMs?: number;
}

type UsageBody = Record<string, unknown> & { callId: string };

const IMMEDIATE_ATTEMPTS = 3;
const DRAIN_PAGE = 500;
/** Records per request to billing (its limit is 500). */
const BATCH_SIZE = 200;

/**
 * Delivers every model call's usage to billing at least once, whatever dies: the record is written
 * to the `usage_outbox` collection before its MODEL_CALL event is stored, sent to billing at once
 * (a tenant's records of the same few milliseconds in one request), and deleted when billing has it. Whatever was not delivered (billing down, this process killed
 * mid-send) is sent again by the drain, on any replica. Billing records each call once by its id,
 * so sending twice never counts a call twice.
 *
 * Writing the record before the event means a call whose reply reached the platform is billed even
 * when the event itself is lost to a crash (the provider charged it); the step that made it runs
 * again after recovery, and that repeated call is billed too, as the provider bills it.
 */
export class UsageForwarder {
  private readonly outbox: Collection<UsageOutboxDoc>;
  private drainTimer: NodeJS.Timeout | undefined;
  private draining: Promise<void> | null = null;
  private stopped = false;
  /** Records waiting for the immediate send, by tenant. */
  private readonly pending = new Map<string, UsageBody[]>();
  private flushTimer: NodeJS.Timeout | undefined;

  constructor(
    store: DocumentStore,
    private readonly billing: ServiceEndpoints,
    private readonly tokens: ContextTokens,
    private readonly logger: Logger,
    private readonly options: UsageForwarderOptions = {},
  ) {
    this.outbox = store.collection<UsageOutboxDoc>('usage_outbox', { indexes: ['queuedAt'] });
  }

  /** Store the usage of a MODEL_CALL event before the event is appended; other events pass. */
  async hold(tenantId: string, workflowId: string, framework: Framework | null, event: EngineEvent): Promise<void> {
    await this.holdMany(tenantId, workflowId, framework, [event]);
  }

  /** Store the usage of every MODEL_CALL event among them, in one write, before the events are appended. */
  async holdMany(tenantId: string, workflowId: string, framework: Framework | null, events: readonly EngineEvent[]): Promise<void> {
    const at = new Date().toISOString();
    const docs: UsageOutboxDoc[] = [];
    for (const event of events) {
      const body = usageBody(workflowId, framework, event, at);
      if (body) docs.push({ id: body.callId, tenantId, workflowId, body, queuedAt: Date.now() });
      else if (event.type === 'MODEL_CALL') this.logger.warn({ workflowId, step: event.step }, 'MODEL_CALL event without usage data; not metered');
    }
    if (docs.length === 1) await this.outbox.upsert(docs[0]!);
    // A call id once per batch: the same call reported twice (an engine run repeated) is one record.
    else if (docs.length > 1) {
      const unique = [...new Map(docs.map((doc) => [doc.id, doc])).values()];
      for (let i = 0; i < unique.length; i += MAX_BATCH_OPERATIONS) await this.outbox.batch(tenantId, unique.slice(i, i + MAX_BATCH_OPERATIONS).map((doc) => ({ kind: 'upsert' as const, doc })));
    }
  }

  /** Send the usage of a stored MODEL_CALL event now; the drain retries what this does not deliver. */
  forward(event: WorkflowEventRecord): void {
    const body = usageBody(event.workflowId, event.framework, event, event.at);
    if (!body) return;
    const queued = this.pending.get(event.tenantId) ?? [];
    queued.push(body);
    this.pending.set(event.tenantId, queued);
    if (queued.length >= BATCH_SIZE) this.flush();
    else this.flushTimer ??= setTimeout(() => this.flush(), this.options.batchDelayMs ?? 20);
  }

  /** Send what the immediate path has gathered, one request per tenant. */
  private flush(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    for (const [tenantId, bodies] of this.pending) void this.deliver(tenantId, bodies, IMMEDIATE_ATTEMPTS);
    this.pending.clear();
  }

  /** Drain the outbox every drainIntervalMs, beginning with what an earlier process left. */
  start(): void {
    const tick = () => {
      if (this.stopped) return;
      this.draining = this.drain()
        .then(() => undefined)
        .catch((error: unknown) => this.logger.warn({ err: error }, 'usage outbox drain failed; next pass retries'))
        .finally(() => {
          this.draining = null;
          if (!this.stopped) this.drainTimer = setTimeout(tick, this.options.drainIntervalMs ?? 5000).unref();
        });
    };
    tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.drainTimer);
    this.flush();
    await this.draining;
  }

  /** One pass: send every record older than the grace period, oldest first; returns how many were delivered. */
  async drain(): Promise<number> {
    const before = Date.now() - (this.options.graceMs ?? 10_000);
    let delivered = 0;
    let after: string | undefined;
    for (;;) {
      const page = await this.outbox.queryAllTenants({ where: { queuedAt: { lte: before } }, orderBy: [{ field: 'queuedAt' }], first: DRAIN_PAGE, ...(after ? { after } : {}) });
      const byTenant = new Map<string, UsageBody[]>();
      for (const { doc } of page.items) byTenant.set(doc.tenantId, [...(byTenant.get(doc.tenantId) ?? []), doc.body as UsageBody]);
      for (const [tenantId, bodies] of byTenant) {
        for (let i = 0; i < bodies.length; i += BATCH_SIZE) {
          const batch = bodies.slice(i, i + BATCH_SIZE);
          if (await this.deliver(tenantId, batch, 1)) delivered += batch.length;
        }
      }
      if (this.stopped || !page.hasNextPage || !page.endCursor) return delivered;
      after = page.endCursor;
    }
  }

  /** Post one tenant's records in one request; true when billing has them (then their outbox records are removed). */
  private async deliver(tenantId: string, bodies: readonly UsageBody[], attempts: number): Promise<boolean> {
    const context = { tenantId, role: 'DEVELOPER' as const, keyId: null, subject: 'service:workflows' };
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        const response = await this.billing.fetch('/internal/usage/batch', {
          method: 'POST',
          headers: { 'content-type': 'application/json', [CONTEXT_HEADER]: await this.tokens.sign(context) },
          body: JSON.stringify({ records: bodies }),
          signal: AbortSignal.timeout(5000),
          // Billing records each call once by its id.
          idempotent: true,
        });
        if (response.ok || response.status < 500) {
          // A refusal (4xx) will not change on a retry: say so and let the record go.
          if (!response.ok) this.logger.error({ status: response.status, callIds: bodies.map((b) => b.callId) }, 'billing refused usage records');
          for (const body of bodies) {
            await this.outbox.delete(tenantId, body.callId).catch((error: unknown) => this.logger.warn({ err: error }, 'delivered usage record stays in the outbox; the drain sends it again'));
          }
          return response.ok;
        }
      } catch {
        // Billing unreachable: try again, or leave it to the drain.
      }
      if (attempt < attempts) await new Promise((resolve) => setTimeout(resolve, 250 * 2 ** attempt));
    }
    return false;
  }
}

function usageBody(workflowId: string, framework: Framework | null, event: Pick<EngineEvent, 'type' | 'agent' | 'step' | 'data'>, at: string): UsageBody | null {
  if (event.type !== 'MODEL_CALL') return null;
  const data = ModelCallData.safeParse(event.data);
  if (!data.success) return null;
  return {
    callId: data.data.callId,
    workflowId,
    engine: framework,
    agent: event.agent ?? null,
    step: event.step ?? null,
    model: data.data.model,
    inputTokens: data.data.usage.input,
    outputTokens: data.data.usage.output,
    cachedTokens: data.data.usage.cached ?? 0,
    latencyMs: data.data.latencyMs,
    at,
  };
}
