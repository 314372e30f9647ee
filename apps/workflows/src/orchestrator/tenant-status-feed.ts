import { TERMINAL_EVENT_TYPES, WorkflowEventType, type TenantContext } from '@switchyard/contracts';
import type { Collection } from '@switchyard/store';
import { requireRole, requireTenant } from '@switchyard/service-kit';
import type { EventNotifier } from './event-notifier.ts';
import type { WorkflowDoc } from './workflow-documents.ts';

/** The events stored right after a workflow's status changed (the document is written first). */
export const STATUS_EVENT_TYPES: readonly string[] = [WorkflowEventType.WORKFLOW_STARTED, WorkflowEventType.WAITING_FOR_INPUT, WorkflowEventType.RESUMED, ...TERMINAL_EVENT_TYPES];

/** The notifier channel of a tenant's status changes; workflow ids are UUIDs, so the two never meet. */
export const tenantStatusChannel = (tenantId: string): string => `tenant:${tenantId}`;

/** A replica's clock may trail another's; changes stamped this much before the last read are read again (and deduplicated). */
const CLOCK_SLACK_MS = 5000;
const PAGE = 100;

/**
 * One reader per tenant and process of the tenant's workflow status changes, shared by its
 * subscribers here. Like the per-workflow feeds it only takes wake-ups from the event notifier (an
 * append of a status event, on any replica through Redis, or the safety-net poll) and reads the
 * changes from the store itself: workflows whose `updatedAt` passed its watermark and whose status
 * differs from the one it last saw, so a lost or duplicated wake-up never loses or repeats a change.
 * Workflows changed within CLOCK_SLACK_MS before the first read are delivered too (a client merges
 * by id): dropping them could lose a change stamped by a replica whose clock trails this one.
 */
class TenantStatusFeed {
  private readonly listeners = new Set<(doc: WorkflowDoc) => void>();
  private readonly seen = new Map<string, { status: string; updatedAt: string }>();
  private watermark = new Date().toISOString();
  private pending = true;
  private running = false;
  private stopped = false;
  private wake: (() => void) | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly workflows: Collection<WorkflowDoc>,
    private readonly notifier: EventNotifier,
    private readonly tenantId: string,
    private readonly onIdle: () => void,
  ) {
    this.unsubscribe = notifier.subscribe(tenantStatusChannel(tenantId), () => {
      this.pending = true;
      this.wake?.();
    });
  }

  listen(listener: (doc: WorkflowDoc) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
  }

  async run(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (!this.stopped) {
        if (!this.pending) await this.sleep();
        if (this.stopped) break;
        this.pending = false;
        await this.read().catch(() => {
          // A failed read is retried at the next wake-up or poll; subscribers keep waiting.
          this.pending = false;
        });
      }
    } finally {
      this.running = false;
    }
  }

  private async read(): Promise<void> {
    let after: string | undefined;
    let newest = this.watermark;
    for (;;) {
      const page = await this.workflows.query(this.tenantId, {
        where: { updatedAt: { gt: new Date(Date.parse(this.watermark) - CLOCK_SLACK_MS).toISOString() } },
        orderBy: [{ field: 'updatedAt', direction: 'asc' }],
        first: PAGE,
        after,
      });
      for (const { doc } of page.items) {
        if (doc.updatedAt > newest) newest = doc.updatedAt;
        const before = this.seen.get(doc.id);
        if (before && before.updatedAt >= doc.updatedAt) continue;
        this.seen.set(doc.id, { status: doc.status, updatedAt: doc.updatedAt });
        if (before?.status !== doc.status) for (const listener of [...this.listeners]) listener(doc);
      }
      if (!page.hasNextPage || !page.endCursor) break;
      after = page.endCursor;
    }
    this.watermark = newest;
    // Only what may still be read again needs remembering.
    const horizon = new Date(Date.parse(newest) - 2 * CLOCK_SLACK_MS).toISOString();
    for (const [id, entry] of this.seen) if (entry.updatedAt < horizon) this.seen.delete(id);
  }

  private sleep(): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        if (this.timer) clearTimeout(this.timer);
        this.timer = null;
        this.wake = null;
        resolve();
      };
      this.timer = setTimeout(done, this.notifier.pollIntervalMs);
      this.wake = done;
    });
  }

  private stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.unsubscribe();
    this.wake?.();
    this.onIdle();
  }
}

/** The tenant status feeds of this process, one per tenant that has subscribers here. */
export class TenantStatusFeeds {
  private readonly feeds = new Map<string, TenantStatusFeed>();

  constructor(
    private readonly workflows: Collection<WorkflowDoc>,
    private readonly notifier: EventNotifier,
  ) {}

  get size(): number {
    return this.feeds.size;
  }

  /**
   * The caller's tenant's workflows as their status changes, from now on; never completes.
   * `return()` ends it at once.
   */
  subscribe(context: TenantContext): AsyncIterableIterator<WorkflowDoc> {
    requireRole(context, 'VIEWER', 'Subscribing to workflow status changes');
    const tenantId = requireTenant(context, 'Subscribing to workflow status changes');
    let feed = this.feeds.get(tenantId);
    if (!feed) {
      const created: TenantStatusFeed = new TenantStatusFeed(this.workflows, this.notifier, tenantId, () => {
        if (this.feeds.get(tenantId) === created) this.feeds.delete(tenantId);
      });
      this.feeds.set(tenantId, created);
      feed = created;
      void created.run();
    }
    const queue: WorkflowDoc[] = [];
    let waiting: ((result: IteratorResult<WorkflowDoc>) => void) | null = null;
    let done = false;
    const stopListening = feed.listen((doc) => {
      if (waiting) {
        const resolve = waiting;
        waiting = null;
        resolve({ done: false, value: doc });
      } else queue.push(doc);
    });
    const finish = (): IteratorResult<WorkflowDoc> => {
      if (!done) {
        done = true;
        stopListening();
        waiting?.({ done: true, value: undefined });
        waiting = null;
      }
      return { done: true, value: undefined };
    };
    return {
      async next() {
        if (done) return { done: true, value: undefined };
        const next = queue.shift();
        if (next) return { done: false, value: next };
        return new Promise<IteratorResult<WorkflowDoc>>((resolve) => (waiting = resolve));
      },
      async return() {
        return finish();
      },
      async throw() {
        return finish();
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }
}
