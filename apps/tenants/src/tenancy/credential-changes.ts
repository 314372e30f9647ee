import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Collection, DocumentStore } from '@switchyard/store';
import { credentialTenantDigest, type CredentialChange } from '@switchyard/service-kit';

const PARTITION = '_platform';
const GENERATION_ID = 'credential-generation';
/** Changes are read back this far before a reader's last read: replicas' clocks may differ. */
export const CHANGE_SLACK_MS = 30_000;
/** Changes are kept this long; a reader that was away longer starts over (forgets what it cached). */
const KEEP_MS = 10 * 60_000;
/** How often a replica with waiting readers looks for a change another replica made. */
const TICK_MS = 1000;

interface ChangeDoc extends CredentialChange {
  id: string;
  /** Always the platform partition; the changed tenant is `tenantDigest`. */
  tenantId: string;
  at: string;
}

interface GenerationDoc {
  id: string;
  tenantId: string;
  generation: number;
}

export interface ChangesAnswer {
  /** The count of changes ever recorded, across replicas; a reader keeps it to ask for what comes after. */
  generation: number;
  /** Changes recorded since `since` (less the clock slack); when the reader's generation was current, none. */
  changes: CredentialChange[];
  /** What to send as `since` next time. */
  now: string;
  /** The reader was away longer than changes are kept: it must forget everything it cached. */
  reset: boolean;
}

/**
 * The changes that make an authentication answer stale, for the gateways that cache verified keys
 * (decision 025). Each change is written as a document, then a shared generation counter is
 * incremented; a gateway holds the generation it last saw and long-polls for a newer one, then reads
 * the changes since its last read (with a clock slack, so a change stamped by a replica whose clock
 * trails is not missed; invalidating twice is harmless). Readers on this replica are woken at once;
 * a change made on another replica is seen within a second.
 */
export class CredentialChanges {
  private readonly changes: Collection<ChangeDoc>;
  private readonly generations: Collection<GenerationDoc>;
  private readonly local = new EventEmitter();
  private lastPrune = 0;
  private closed = false;

  constructor(
    store: DocumentStore,
    /** Told when removing old changes fails (tried again a minute later; nothing is lost, the collection only grows meanwhile). */
    private readonly onPruneError: (error: unknown) => void = () => undefined,
  ) {
    this.changes = store.collection<ChangeDoc>('credential_changes', { indexes: ['at'] });
    this.generations = store.collection<GenerationDoc>('credential_generation');
    this.local.setMaxListeners(0);
  }

  /** Announce that a key, or every credential of a tenant, changed. */
  async record(change: { keyId?: string; tenantId?: string }): Promise<void> {
    const now = Date.now();
    await this.changes.create({
      id: `${now.toString(36)}-${randomUUID()}`,
      tenantId: PARTITION,
      ...(change.keyId ? { keyId: change.keyId } : {}),
      ...(change.tenantId ? { tenantDigest: credentialTenantDigest(change.tenantId) } : {}),
      at: new Date(now).toISOString(),
    });
    // After the change is stored: a reader that sees the new generation finds the change.
    await this.generations.increment(PARTITION, GENERATION_ID, 'generation', 1, { generation: 0 } as Omit<GenerationDoc, 'id' | 'tenantId'>);
    this.local.emit('change');
    if (now - this.lastPrune > 60_000) {
      this.lastPrune = now;
      void this.prune(now).catch(this.onPruneError);
    }
  }

  async generation(): Promise<number> {
    return (await this.generations.get(PARTITION, GENERATION_ID))?.doc.generation ?? 0;
  }

  /**
   * The changes after `known` (a generation) since `since`: at once when there are any (or the
   * reader is new), otherwise when one is recorded, or empty after `waitMs`.
   */
  async after(known: number | null, since: string | null, waitMs: number, signal?: AbortSignal): Promise<ChangesAnswer> {
    const deadline = Date.now() + waitMs;
    let generation = await this.generation();
    while (generation === known && Date.now() < deadline && !signal?.aborted && !this.closed) {
      await this.nextChange(Math.min(TICK_MS, deadline - Date.now()), signal);
      generation = await this.generation();
    }
    const now = new Date().toISOString();
    if (known === null || since === null) return { generation, changes: [], now, reset: true };
    if (generation === known) return { generation, changes: [], now, reset: false };
    const from = Date.parse(since) - CHANGE_SLACK_MS;
    if (!Number.isFinite(from) || Date.now() - from > KEEP_MS) return { generation, changes: [], now, reset: true };
    const changes: CredentialChange[] = [];
    let after: string | undefined;
    do {
      const page = await this.changes.query(PARTITION, { where: { at: { gt: new Date(from).toISOString() } }, orderBy: [{ field: 'at', direction: 'asc' }], first: 500, ...(after ? { after } : {}) });
      for (const { doc } of page.items) changes.push({ ...(doc.keyId ? { keyId: doc.keyId } : {}), ...(doc.tenantDigest ? { tenantDigest: doc.tenantDigest } : {}) });
      after = page.hasNextPage ? (page.endCursor ?? undefined) : undefined;
      if (changes.length > 10_000) return { generation, changes: [], now, reset: true };
    } while (after);
    return { generation, changes, now, reset: false };
  }

  /** Answer every waiting reader now (shutting down): a draining server does not wait for their polls. */
  close(): void {
    this.closed = true;
    this.local.emit('change');
  }

  /** Resolves on a change recorded on this replica, or after `ms` (the tick that sees other replicas' changes). */
  private nextChange(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.local.off('change', done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      this.local.once('change', done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  private async prune(now: number): Promise<void> {
    const old = await this.changes.query(PARTITION, { where: { at: { lt: new Date(now - KEEP_MS).toISOString() } }, first: 500 });
    for (const { doc } of old.items) await this.changes.delete(PARTITION, doc.id);
  }
}
