/**
 * The persistence port every service uses. Documents live in named collections and are partitioned
 * by `tenantId`; every read and query names the tenant, so one tenant can never see another's data.
 * Adapters: SQLite (embedded default) and Azure Cosmos DB (production, partition key /tenantId).
 */
export interface BaseDocument {
  id: string;
  tenantId: string;
}

export interface Stored<T extends BaseDocument> {
  doc: T;
  /** Opaque version tag; pass it back as `ifMatch` for an optimistic-concurrency write. */
  etag: string;
}

export type Scalar = string | number | boolean | null;

export type FieldCondition =
  | Scalar
  | { eq: Scalar }
  | { ne: Scalar }
  | { lt: string | number }
  | { lte: string | number }
  | { gt: string | number }
  | { gte: string | number }
  | { in: Scalar[] };

export interface QueryOptions {
  /** Conditions on top-level fields (dotted paths allowed), all of which must hold. */
  where?: Record<string, FieldCondition>;
  /** Sort order; `id` is always appended as the final tie-breaker so cursors are stable. */
  orderBy?: { field: string; direction?: 'asc' | 'desc' }[];
  /** Page size (default 50, at most 1000). */
  first?: number;
  /** Cursor from a previous page's `endCursor`. */
  after?: string;
}

export interface Page<T extends BaseDocument> {
  items: Stored<T>[];
  endCursor: string | null;
  hasNextPage: boolean;
}

/** The most operations one {@link Collection.batch} may hold (Cosmos DB's limit for a transactional batch). */
export const MAX_BATCH_OPERATIONS = 100;

/** One write of a {@link Collection.batch}: insert (ConflictError when the id exists) or insert-or-overwrite. */
export type BatchOperation<T extends BaseDocument> = { kind: 'create'; doc: T } | { kind: 'upsert'; doc: T };

export interface Collection<T extends BaseDocument> {
  readonly name: string;
  get(tenantId: string, id: string): Promise<Stored<T> | null>;
  /** Insert; throws ConflictError when a document with the same tenantId and id exists. */
  create(doc: T): Promise<Stored<T>>;
  /** Insert or overwrite. With `ifMatch`, overwrite only that version (PreconditionFailedError otherwise). */
  upsert(doc: T, options?: { ifMatch?: string }): Promise<Stored<T>>;
  /** Overwrite an existing document; with `ifMatch`, only that version. NotFound → PreconditionFailedError. */
  replace(doc: T, options?: { ifMatch?: string }): Promise<Stored<T>>;
  /**
   * Several writes to one tenant's documents as one transaction, in order: all of them or none
   * (SQLite: one transaction; Cosmos DB: one transactional batch in the tenant's partition, one round
   * trip). A create whose id exists fails the whole batch with ConflictError. Every document must
   * belong to `tenantId`; at most MAX_BATCH_OPERATIONS operations. Returns what each stored, in order.
   */
  batch(tenantId: string, operations: readonly BatchOperation<T>[]): Promise<Stored<T>[]>;
  /** Delete; with `ifMatch`, only that version. Returns false when nothing was there. */
  delete(tenantId: string, id: string, options?: { ifMatch?: string }): Promise<boolean>;
  query(tenantId: string, options?: QueryOptions): Promise<Page<T>>;
  /** Count documents matching `where` within one tenant. */
  count(tenantId: string, where?: QueryOptions['where']): Promise<number>;
  /**
   * Query across every tenant. Only for platform-internal work (recovering unfinished workflows,
   * expiring leases); never call it with data from a request.
   */
  queryAllTenants(options?: QueryOptions): Promise<Page<T>>;
  /**
   * Atomically add `by` to a numeric field (creating the document with `initial` fields when absent)
   * and return the new value. Safe under concurrent callers and across processes.
   */
  increment(tenantId: string, id: string, field: string, by: number, initial?: Omit<T, 'id' | 'tenantId'>): Promise<number>;
  /** Delete every document of one tenant in this collection; returns how many were removed. */
  deleteTenant(tenantId: string): Promise<number>;
}

export interface CollectionOptions {
  /** Fields that queries filter or sort on; adapters may index them. */
  indexes?: string[];
  /**
   * Multi-field sort orders (the `orderBy` field lists) that queries use. Cosmos can only ORDER BY
   * several fields through a matching composite index, so list each combination here; single fields
   * in `indexes` are covered already. Directions may be all ascending or all descending.
   */
  compositeIndexes?: string[][];
}

export interface DocumentStore {
  collection<T extends BaseDocument>(name: string, options?: CollectionOptions): Collection<T>;
  /** Delete every document of a tenant in every collection of this store. */
  deleteTenant(tenantId: string): Promise<number>;
  /** Every document of a tenant in every collection of this store, by collection name (for data export). */
  exportTenant(tenantId: string): Promise<Record<string, unknown[]>>;
  close(): Promise<void>;
}
