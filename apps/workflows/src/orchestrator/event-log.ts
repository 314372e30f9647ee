import { ConflictError, TERMINAL_EVENT_TYPES, type EngineEvent, type Framework } from '@switchyard/contracts';
import { MAX_BATCH_OPERATIONS, type Collection, type DocumentStore } from '@switchyard/store';
import { LocalEventNotifier, type EventNotifier } from './event-notifier.ts';
import { STATUS_EVENT_TYPES, tenantStatusChannel } from './tenant-status-feed.ts';
import { eventId, type EventDoc } from './workflow-documents.ts';

/**
 * Each workflow's events, numbered 1..n with no gap and no duplicate even when several writers
 * (the driving replica, a cancel on another replica) append at once: the sequence is claimed by
 * creating the event document whose id is that sequence, and a writer that loses the race takes
 * the next number. An event is stored before anyone is told about it.
 *
 * A workflow's terminal event (succeeded, failed, cancelled) is its last: an append after it is
 * refused with WorkflowEndedError. A writer that missed the end (a replica whose lease ran out while
 * its engine stream went on) always meets it, because the terminal event holds the very sequence
 * it tries to claim next.
 */
export class EventLog {
  private readonly events: Collection<EventDoc>;
  private readonly lastKnown = new Map<string, { sequence: number; ended: boolean }>();

  constructor(
    store: DocumentStore,
    readonly notifier: EventNotifier = new LocalEventNotifier(),
  ) {
    // The composite serves "events of this workflow after n" and "its last event" (without it SQLite scans the
    // tenant's events: 1.45 ms against 0.07 ms per read over 20,000); the single ones declare the sorts Cosmos needs.
    this.events = store.collection<EventDoc>('workflow_events', { indexes: ['workflowId', 'sequence'], compositeIndexes: [['workflowId', 'sequence']] });
  }

  async append(tenantId: string, workflowId: string, framework: Framework | null, event: EngineEvent): Promise<EventDoc> {
    const [doc] = await this.appendMany(tenantId, workflowId, framework, [event]);
    return doc!;
  }

  /**
   * Append several events of one workflow in order as one write (a transaction of the store, up to
   * MAX_BATCH_OPERATIONS events each), and wake the readers once. Events after a terminal event in
   * the same call are refused with WorkflowEndedError, after the events up to it are stored.
   */
  async appendMany(tenantId: string, workflowId: string, framework: Framework | null, events: readonly EngineEvent[]): Promise<EventDoc[]> {
    const stored: EventDoc[] = [];
    let rest = events;
    while (rest.length > 0) {
      const end = rest.findIndex((event) => TERMINAL_EVENT_TYPES.includes(event.type));
      const take = Math.min(end === -1 ? rest.length : end + 1, MAX_BATCH_OPERATIONS);
      stored.push(...(await this.appendBatch(tenantId, workflowId, framework, rest.slice(0, take))));
      rest = rest.slice(take);
      if (rest.length > 0 && this.lastKnown.get(workflowId)?.ended) throw new WorkflowEndedError(workflowId, stored.at(-1)!.sequence);
    }
    return stored;
  }

  /** Claim the next sequences for the events at once; a writer that lost the race to one of them (nothing was stored) takes the next ones. */
  private async appendBatch(tenantId: string, workflowId: string, framework: Framework | null, events: readonly EngineEvent[]): Promise<EventDoc[]> {
    const known = this.lastKnown.get(workflowId) ?? (await this.lastEvent(tenantId, workflowId));
    if (known.ended) throw new WorkflowEndedError(workflowId, known.sequence);
    let first = known.sequence + 1;
    for (;;) {
      const at = new Date().toISOString();
      const docs = events.map((event, i): EventDoc => ({
        id: eventId(workflowId, first + i),
        tenantId,
        workflowId,
        sequence: first + i,
        at,
        framework,
        type: event.type,
        ...(event.step !== undefined ? { step: event.step } : {}),
        ...(event.agent !== undefined ? { agent: event.agent } : {}),
        ...(event.message !== undefined ? { message: event.message } : {}),
        ...(event.data !== undefined ? { data: event.data } : {}),
      }));
      try {
        const stored = docs.length === 1 ? [await this.events.create(docs[0]!)] : await this.events.batch(tenantId, docs.map((doc) => ({ kind: 'create' as const, doc })));
        const last = docs.at(-1)!;
        this.lastKnown.set(workflowId, { sequence: last.sequence, ended: TERMINAL_EVENT_TYPES.includes(last.type) });
        this.notifier.notify(workflowId, last.sequence);
        if (docs.some((doc) => STATUS_EVENT_TYPES.includes(doc.type))) this.notifier.notify(tenantStatusChannel(tenantId), last.sequence);
        return stored.map((item) => item.doc);
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
        const last = await this.lastEvent(tenantId, workflowId);
        if (last.ended) {
          this.lastKnown.set(workflowId, last);
          throw new WorkflowEndedError(workflowId, last.sequence);
        }
        first = last.sequence + 1;
      }
    }
  }

  async lastSequence(tenantId: string, workflowId: string): Promise<number> {
    return (await this.lastEvent(tenantId, workflowId)).sequence;
  }

  private async lastEvent(tenantId: string, workflowId: string): Promise<{ sequence: number; ended: boolean }> {
    const page = await this.events.query(tenantId, { where: { workflowId }, orderBy: [{ field: 'sequence', direction: 'desc' }], first: 1 });
    const last = page.items[0]?.doc;
    return { sequence: last?.sequence ?? 0, ended: !!last && TERMINAL_EVENT_TYPES.includes(last.type) };
  }

  async list(tenantId: string, workflowId: string, afterSequence = 0, first = 500): Promise<EventDoc[]> {
    const page = await this.events.query(tenantId, {
      where: { workflowId, sequence: { gt: afterSequence } },
      orderBy: [{ field: 'sequence', direction: 'asc' }],
      first: Math.min(Math.max(first, 1), 1000),
    });
    return page.items.map((item) => item.doc);
  }

  /** Called when an event of the workflow may have been stored (a wake-up, not the event); returns the unsubscribe function. */
  onAppend(workflowId: string, listener: () => void): () => void {
    return this.notifier.subscribe(workflowId, listener);
  }

  forget(workflowId: string): void {
    this.lastKnown.delete(workflowId);
  }
}

/** An append to a workflow whose terminal event is stored: the writer lost the workflow to another and must stop. */
export class WorkflowEndedError extends Error {
  constructor(
    readonly workflowId: string,
    readonly lastSequence: number,
  ) {
    super(`Workflow ${workflowId} ended with event ${lastSequence}; nothing is appended after its end.`);
    this.name = 'WorkflowEndedError';
  }
}
