import { createHash } from 'node:crypto';
import { ErrorCode, SwitchyardError } from '@switchyard/contracts';
import type { BaseDocument, Collection, CollectionOptions, DocumentStore } from './document-store.ts';
import type { VectorIndex } from './vector-index.ts';

const PARTITION = '_tombstones';
const COLLECTION = 'tenant_tombstones';

interface TombstoneDoc {
  /** SHA-256 of the erased tenant's id: the id itself is not kept. */
  id: string;
  tenantId: string;
  erasedAt: string;
}

/** A write for a tenant whose data was erased (decision 023). */
export class TenantErasedError extends SwitchyardError {
  constructor() {
    super(ErrorCode.FORBIDDEN, 'This tenant was erased; nothing more is stored for it. Create a new tenant to start again.', { erased: true });
  }
}

/** A store that refuses writes for erased tenants, and records erasures. */
export interface TombstonedStore extends DocumentStore {
  /** Mark a tenant as erased: from now on (on every replica within `liveCacheMs`) its writes are refused. */
  tombstone(tenantId: string): Promise<void>;
  isErased(tenantId: string): Promise<boolean>;
}

const digest = (tenantId: string) => createHash('sha256').update(tenantId).digest('hex');

/**
 * Wrap a store so every create, upsert, replace and increment into an erased tenant's partition is
 * refused with TenantErasedError, whichever part of the service (or a run it did not know was
 * stopped) tries it. Reads and deletes pass. Erased tenants are remembered for good; "not erased"
 * for `liveCacheMs` per tenant, so each replica looks at the store at most that often per tenant.
 */
export function withTenantTombstones(store: DocumentStore, options: { liveCacheMs?: number; onErased?: (tenantId: string) => void } = {}): TombstonedStore {
  const liveCacheMs = options.liveCacheMs ?? 1000;
  const tombstones = store.collection<TombstoneDoc>(COLLECTION);
  const erased = new Set<string>();
  const live = new Map<string, number>();

  const learnErased = (tenantId: string) => {
    if (erased.has(tenantId)) return;
    erased.add(tenantId);
    live.delete(tenantId);
    options.onErased?.(tenantId);
  };
  const isErased = async (tenantId: string): Promise<boolean> => {
    if (tenantId === PARTITION) return false;
    if (erased.has(tenantId)) return true;
    if ((live.get(tenantId) ?? 0) > Date.now()) return false;
    if (await tombstones.get(PARTITION, digest(tenantId))) {
      learnErased(tenantId);
      return true;
    }
    if (live.size > 100_000) live.clear();
    live.set(tenantId, Date.now() + liveCacheMs);
    return false;
  };
  const guard = async (tenantId: string) => {
    if (await isErased(tenantId)) throw new TenantErasedError();
  };

  function wrap<T extends BaseDocument>(inner: Collection<T>): Collection<T> {
    return {
      name: inner.name,
      get: (tenantId, id) => inner.get(tenantId, id),
      create: async (doc) => (await guard(doc.tenantId), inner.create(doc)),
      upsert: async (doc, o) => (await guard(doc.tenantId), inner.upsert(doc, o)),
      replace: async (doc, o) => (await guard(doc.tenantId), inner.replace(doc, o)),
      batch: async (tenantId, operations) => (await guard(tenantId), inner.batch(tenantId, operations)),
      delete: (tenantId, id, o) => inner.delete(tenantId, id, o),
      query: (tenantId, o) => inner.query(tenantId, o),
      count: (tenantId, where) => inner.count(tenantId, where),
      queryAllTenants: (o) => inner.queryAllTenants(o),
      increment: async (tenantId, id, field, by, initial) => (await guard(tenantId), inner.increment(tenantId, id, field, by, initial)),
      deleteTenant: (tenantId) => inner.deleteTenant(tenantId),
    };
  }

  return {
    collection: <T extends BaseDocument>(name: string, collectionOptions?: CollectionOptions) => wrap(store.collection<T>(name, collectionOptions)),
    deleteTenant: (tenantId) => store.deleteTenant(tenantId),
    // The tombstones are the platform's record that an erasure happened, not the tenant's data.
    exportTenant: (tenantId) => store.exportTenant(tenantId),
    close: () => store.close(),
    isErased,
    async tombstone(tenantId) {
      await tombstones.upsert({ id: digest(tenantId), tenantId: PARTITION, erasedAt: new Date().toISOString() });
      learnErased(tenantId);
    },
  };
}

/**
 * The same refusal for a vector index kept outside the store: upserts into an erased tenant are
 * refused with TenantErasedError (an ingestion still embedding when its tenant was erased stores no
 * vector after the erasure); queries, counts and deletes pass.
 */
export function withTombstoneGuard(index: VectorIndex, store: Pick<TombstonedStore, 'isErased'>): VectorIndex {
  return {
    upsert: async (tenantId, entries) => {
      if (await store.isErased(tenantId)) throw new TenantErasedError();
      return index.upsert(tenantId, entries);
    },
    query: (tenantId, vector, k) => index.query(tenantId, vector, k),
    deleteDocument: (tenantId, documentId) => index.deleteDocument(tenantId, documentId),
    deleteTenant: (tenantId) => index.deleteTenant(tenantId),
    count: (tenantId) => index.count(tenantId),
    close: () => index.close(),
  };
}
