/**
 * The vector-search port: embeddings stored per tenant and searched by cosine distance. Every call
 * names the tenant, and a query only ever considers that tenant's vectors. Entries belong to a
 * document so they can be removed with it. Adapters: SQLite with sqlite-vec (embedded default) and
 * Azure Cosmos DB vector search (production).
 *
 * Vectors of different lengths live side by side (one table or container per length), so switching
 * to an embedding model with another dimension never fails; a query only sees vectors of its own
 * length, which means documents embedded by the previous model must be ingested again.
 */
export interface VectorEntry {
  /** Unique within the tenant; at most 255 characters, none of / \ ? #. */
  id: string;
  /** The document the entry belongs to (deleteDocument removes every entry of it). */
  documentId: string;
  vector: readonly number[];
}

export interface VectorMatch {
  id: string;
  documentId: string;
  /** Cosine distance: 0 for the same direction, 1 for orthogonal, 2 for opposite. */
  distance: number;
}

export interface VectorIndex {
  /** Insert or overwrite entries (all in one tenant). */
  upsert(tenantId: string, entries: readonly VectorEntry[]): Promise<void>;
  /** The tenant's `k` nearest entries to `vector`, nearest first; [] when it has none of this length. */
  query(tenantId: string, vector: readonly number[], k: number): Promise<VectorMatch[]>;
  /** Remove every entry of one document of the tenant; returns how many were removed. */
  deleteDocument(tenantId: string, documentId: string): Promise<number>;
  /** Remove every entry of the tenant; returns how many were removed. */
  deleteTenant(tenantId: string): Promise<number>;
  /** How many entries the tenant has (of every length). */
  count(tenantId: string): Promise<number>;
  close(): Promise<void>;
}

/** The longest vector either adapter indexes (Cosmos DB's quantizedFlat and diskANN limit). */
export const MAX_VECTOR_DIMENSIONS = 4096;
/** The most neighbours one query may ask for (sqlite-vec's limit). */
export const MAX_VECTOR_K = 4096;

/** @internal Shared input checks, so both adapters refuse the same things with the same words. */
export function checkVectorEntry(entry: VectorEntry): void {
  if (!entry.id || entry.id.length > 255 || /[/\\?#]/.test(entry.id)) {
    throw new TypeError(`Vector entry id "${entry.id}" must be 1 to 255 characters without / \\ ? #.`);
  }
  if (!entry.documentId) throw new TypeError(`Vector entry "${entry.id}" needs a documentId.`);
  checkVector(entry.vector);
}

/** @internal */
export function checkVector(vector: readonly number[]): void {
  if (vector.length === 0 || vector.length > MAX_VECTOR_DIMENSIONS) {
    throw new TypeError(`A vector must have 1 to ${MAX_VECTOR_DIMENSIONS} dimensions; this one has ${vector.length}.`);
  }
  if (!vector.every((v) => Number.isFinite(v))) throw new TypeError('A vector must hold finite numbers only.');
}

/** @internal */
export function clampK(k: number): number {
  return Math.min(Math.max(Math.floor(k), 1), MAX_VECTOR_K);
}
