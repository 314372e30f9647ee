import { NotFoundError, TERMINAL_EVENT_TYPES, type TenantContext } from '@switchyard/contracts';
import { requireRole, requireTenant } from '@switchyard/service-kit';
import type { EventLog } from './event-log.ts';
import type { Histogram, ServiceMetrics } from '@switchyard/service-kit';
import type { EventDoc } from './workflow-documents.ts';
import type { WorkflowManager } from './workflow-manager.ts';

const PAGE = 500;
/** Recent events a feed keeps for subscribers that are a little behind; further back they read the store. */
const FEED_WINDOW = 256;

/**
 * One reader of a workflow's events in this process, shared by all its subscribers here. It reads
 * the store when an append is notified (or, as a safety net, every poll interval) and keeps the
 * events it read as one contiguous run ending at `last`. Subscribers wait for `last` to pass their
 * own position, so a notification that arrives while nobody waits is never lost: it advances the
 * watermark, and every subscriber compares against the watermark before it waits.
 */
class WorkflowEventFeed {
  /** The highest sequence read, contiguous from the start; null until a subscriber first waits and the reader found the store's end. */
  last: number | null = null;
  ended = false;
  error: unknown = null;
  subscribers = 0;
  private window: EventDoc[] = [];
  private lastProgressAt = Date.now();
  private quietChecks = 0;
  private checking = false;
  private pending = false;
  private running = false;
  private wakeReader: (() => void) | null = null;
  private readonly waiters = new Set<{ after: number; resolve: () => void }>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly events: EventLog,
    private readonly tenantId: string,
    private readonly workflowId: string,
    private readonly onIdle: () => void,
  ) {
    this.unsubscribe = events.onAppend(workflowId, () => {
      this.pending = true;
      this.wakeReader?.();
    });
  }

  /** The events after `sequence` if this feed holds all of them (possibly none yet); null when they must come from the store. */
  after(sequence: number): EventDoc[] | null {
    if (this.last === null) return null;
    if (sequence >= this.last) return [];
    const first = this.last - this.window.length + 1;
    if (sequence + 1 < first) return null;
    return this.window.slice(sequence + 1 - first);
  }

  /**
   * Run `check` (has the workflow ended without its terminal event?) once the feed has read nothing
   * for `quietMs`, then after twice as long, and so on up to 5 minutes: once per workflow in this
   * process, however many subscribers wait on it.
   */
  checkEndWhenQuiet(check: () => Promise<unknown>, quietMs: number): void {
    const wait = Math.min(quietMs * 2 ** this.quietChecks, 300_000);
    if (this.ended || this.checking || Date.now() - this.lastProgressAt < wait) return;
    this.checking = true;
    this.quietChecks += 1;
    this.lastProgressAt = Date.now();
    void check()
      .catch(() => undefined)
      .finally(() => {
        this.checking = false;
      });
  }

  /** Resolves once an event after `sequence` was read, the feed failed, or `signal` aborted. */
  waitBeyond(sequence: number, signal: AbortSignal): Promise<void> {
    void this.run();
    if ((this.last !== null && this.last > sequence) || this.error !== null || signal.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const waiter = {
        after: sequence,
        resolve: () => {
          this.waiters.delete(waiter);
          signal.removeEventListener('abort', waiter.resolve);
          resolve();
        },
      };
      this.waiters.add(waiter);
      signal.addEventListener('abort', waiter.resolve, { once: true });
    });
  }

  detach(): void {
    this.subscribers -= 1;
    if (this.subscribers > 0) return;
    this.unsubscribe();
    this.wakeReader?.();
    this.onIdle();
  }

  private async run(): Promise<void> {
    if (this.running || this.ended || this.error !== null) return;
    this.running = true;
    try {
      if (this.last === null) {
        // Start where the store ends now (not at a subscriber's position, which may lie beyond it);
        // appends from here on are notified, and the first pass reads once more in any case.
        this.pending = true;
        const end = await this.events.lastSequence(this.tenantId, this.workflowId);
        this.last = end;
        for (const waiter of [...this.waiters]) if (waiter.after < end) waiter.resolve();
      }
      while (this.subscribers > 0 && !this.ended) {
        if (!this.pending) await this.sleep();
        if (this.subscribers === 0) break;
        this.pending = false;
        const batch = await this.events.list(this.tenantId, this.workflowId, this.last!, PAGE);
        const before = this.last!;
        for (const event of batch) {
          if (event.sequence !== this.last! + 1) break;
          this.window.push(event);
          this.last = event.sequence;
          if (TERMINAL_EVENT_TYPES.includes(event.type)) this.ended = true;
        }
        if (this.window.length > FEED_WINDOW) this.window.splice(0, this.window.length - FEED_WINDOW);
        if (this.last! > before) {
          this.lastProgressAt = Date.now();
          this.quietChecks = 0;
          for (const waiter of [...this.waiters]) if (waiter.after < this.last!) waiter.resolve();
        }
        if (batch.length === PAGE) this.pending = true;
      }
    } catch (error) {
      this.error = error;
      this.onIdle();
      for (const waiter of [...this.waiters]) waiter.resolve();
    } finally {
      this.running = false;
    }
  }

  private sleep(): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeReader = null;
        resolve();
      };
      const timer = setTimeout(done, this.events.notifier.pollIntervalMs);
      this.wakeReader = done;
    });
  }
}

/** The shared readers of this process, one per workflow that has subscribers here. */
export class WorkflowEventFeeds {
  private readonly feeds = new Map<string, WorkflowEventFeed>();

  /** Seconds from an event's store write to its hand-over to a live subscriber here. */
  readonly deliverySeconds: Histogram<string> | null;

  constructor(
    readonly events: EventLog,
    metrics?: ServiceMetrics,
    /** How long a subscription hears nothing before it checks whether the workflow ended without its terminal event. */
    readonly endCheckMs = 5000,
  ) {
    this.deliverySeconds = metrics?.histogram('switchyard_event_delivery_seconds', 'Delay from storing a workflow event to handing it to a live subscriber.', [], [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5]) ?? null;
    metrics?.gauge('switchyard_subscriptions_open', 'Workflow event subscriptions open in this process.', [], (gauge) => {
      gauge.set([...this.feeds.values()].reduce((sum, feed) => sum + feed.subscribers, 0));
    });
    metrics?.gauge('switchyard_event_feeds_open', 'Workflows with a shared event reader in this process.', [], (gauge) => gauge.set(this.feeds.size));
  }

  /** How many workflows have a shared reader now. */
  get size(): number {
    return this.feeds.size;
  }

  attach(tenantId: string, workflowId: string): WorkflowEventFeed {
    // Keyed by tenant too: a feed only ever reads its own tenant's partition.
    const key = `${tenantId}\u0000${workflowId}`;
    let feed = this.feeds.get(key);
    if (!feed) {
      const created: WorkflowEventFeed = new WorkflowEventFeed(this.events, tenantId, workflowId, () => {
        if (this.feeds.get(key) === created) this.feeds.delete(key);
      });
      this.feeds.set(key, created);
      feed = created;
    }
    feed.subscribers += 1;
    return feed;
  }
}

/**
 * The events of one workflow after `afterSequence`: stored ones first, then live ones, with no gap
 * and no duplicate at the seam, ending after the terminal event. Every event comes from the store
 * in sequence order, either read by this subscriber (replay, or when it fell behind the shared
 * reader's window) or by the workflow's shared reader; notifications only say when to look.
 * `return()` ends a waiting subscription at once.
 */
export function workflowEventStream(
  context: TenantContext,
  manager: WorkflowManager,
  feeds: WorkflowEventFeeds,
  workflowId: string,
  afterSequence: number,
): Required<AsyncIterableIterator<EventDoc>> {
  const controller = new AbortController();
  const events = readEvents(context, manager, feeds, workflowId, afterSequence, controller.signal);
  return {
    next: () => events.next(),
    return: (value?: unknown) => {
      controller.abort();
      return events.return(value as undefined);
    },
    throw: (error?: unknown) => {
      controller.abort();
      return events.throw(error);
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

async function* readEvents(
  context: TenantContext,
  manager: WorkflowManager,
  feeds: WorkflowEventFeeds,
  workflowId: string,
  afterSequence: number,
  signal: AbortSignal,
): AsyncGenerator<EventDoc> {
  requireRole(context, 'VIEWER', 'Subscribing to workflow events');
  const tenantId = requireTenant(context, 'Subscribing to workflow events');
  const workflow = await manager.get(context, workflowId);
  if (!workflow) throw new NotFoundError('Workflow', workflowId);
  let last = Math.max(afterSequence, 0);
  const feed = feeds.attach(tenantId, workflowId);
  try {
    while (!signal.aborted) {
      const shared = feed.after(last);
      const batch = shared ?? (await feeds.events.list(tenantId, workflowId, last, PAGE));
      const from = last;
      for (const event of batch) {
        if (event.sequence !== last + 1) break;
        last = event.sequence;
        // Live (read by the shared reader as it was appended), not a replay of history.
        if (shared !== null) feeds.deliverySeconds?.observe(Math.max(0, Date.now() - Date.parse(event.at)) / 1000);
        yield event;
        if (TERMINAL_EVENT_TYPES.includes(event.type)) return;
        if (signal.aborted) return;
      }
      // A short page from the store is its end: wait rather than read again.
      if (last > from && (shared !== null || batch.length === PAGE)) continue;
      if (last === from) {
        if (feed.error !== null) throw feed.error;
        // The workflow ended and this subscriber has everything up to its end: nothing more will come.
        if (feed.ended && last >= feed.last!) return;
      }
      // A store read that found nothing the feed has not passed would repeat forever (the events
      // were erased): wait for the feed to move instead.
      const quiet = AbortSignal.timeout(feeds.endCheckMs);
      const position = feed.last;
      await feed.waitBeyond(last === from && shared === null ? Math.max(last, feed.last ?? last) : last, AbortSignal.any([signal, quiet]));
      // Nothing for a while: a workflow that finished without its terminal event (its replica died
      // in between) gets it now, so this subscription ends instead of waiting for ever.
      if (!signal.aborted && quiet.aborted && feed.last === position) feed.checkEndWhenQuiet(() => manager.ensureTerminalEvent(tenantId, workflowId), feeds.endCheckMs);
    }
  } finally {
    feed.detach();
  }
}
