import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import * as sqliteVec from 'sqlite-vec';
import { checkVector, checkVectorEntry, clampK, type VectorEntry, type VectorIndex, type VectorMatch } from './vector-index.ts';

export interface SqliteVectorIndexOptions {
  /** Database file (usually the service's store file; parent directories are created) or ':memory:'. */
  filename: string;
  /** Names the index's tables, so one file can hold several indexes. Default "vectors". */
  name?: string;
}

interface KeyRow {
  rowid: number;
  dimensions: number;
}

function safeName(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9_]/g, '_');
  return safe === name ? safe : `${safe}_${createHash('sha1').update(name).digest('hex').slice(0, 8)}`;
}

/**
 * The embedded VectorIndex: sqlite-vec `vec0` tables (one per vector length, cosine distance) with
 * the tenant as the partition key, so a tenant's nearest-neighbour search scans that tenant's
 * vectors and no other's. A plain key table maps each (tenant, id) to its vector row and document,
 * so removing a document or a tenant is an indexed lookup. It opens its own connection (WAL, busy
 * timeout) to the given file, normally the service's store file, because the store's connection
 * does not load extensions; tables are named `vec_<name>...`, outside the store's `doc_` tables.
 */
export class SqliteVectorIndex implements VectorIndex {
  private readonly db: Database.Database;
  private readonly prefix: string;
  private readonly keys: string;
  private readonly tables = new Set<number>();

  constructor(options: SqliteVectorIndexOptions) {
    if (options.filename !== ':memory:') mkdirSync(dirname(options.filename), { recursive: true });
    this.db = new Database(options.filename);
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    sqliteVec.load(this.db);
    this.prefix = `vec_${safeName(options.name ?? 'vectors')}`;
    this.keys = `${this.prefix}_keys`;
    this.db.exec(
      `CREATE TABLE IF NOT EXISTS "${this.keys}" (rowid INTEGER PRIMARY KEY, tenant_id TEXT NOT NULL, id TEXT NOT NULL, document_id TEXT NOT NULL, dimensions INTEGER NOT NULL, UNIQUE (tenant_id, id))`,
    );
    this.db.exec(`CREATE INDEX IF NOT EXISTS "${this.keys}.document" ON "${this.keys}" (tenant_id, document_id)`);
  }

  private table(dimensions: number): string {
    return `${this.prefix}_d${dimensions}`;
  }

  private ensureTable(dimensions: number): string {
    const table = this.table(dimensions);
    if (!this.tables.has(dimensions)) {
      this.db.exec(`CREATE VIRTUAL TABLE IF NOT EXISTS "${table}" USING vec0(tenant_id TEXT PARTITION KEY, embedding FLOAT[${dimensions}] distance_metric=cosine)`);
      this.tables.add(dimensions);
    }
    return table;
  }

  private hasTable(dimensions: number): boolean {
    if (this.tables.has(dimensions)) return true;
    const found = this.db.prepare(`SELECT 1 FROM sqlite_master WHERE name = ?`).get(this.table(dimensions)) !== undefined;
    if (found) this.tables.add(dimensions);
    return found;
  }

  async upsert(tenantId: string, entries: readonly VectorEntry[]): Promise<void> {
    entries.forEach(checkVectorEntry);
    for (const dimensions of new Set(entries.map((e) => e.vector.length))) this.ensureTable(dimensions);
    const find = this.db.prepare(`SELECT rowid, dimensions FROM "${this.keys}" WHERE tenant_id = ? AND id = ?`);
    const insertKey = this.db.prepare(`INSERT INTO "${this.keys}" (tenant_id, id, document_id, dimensions) VALUES (?, ?, ?, ?)`);
    const deleteKey = this.db.prepare(`DELETE FROM "${this.keys}" WHERE rowid = ?`);
    this.db
      .transaction(() => {
        for (const entry of entries) {
          const existing = find.get(tenantId, entry.id) as KeyRow | undefined;
          if (existing) {
            this.db.prepare(`DELETE FROM "${this.table(existing.dimensions)}" WHERE rowid = ?`).run(existing.rowid);
            deleteKey.run(existing.rowid);
          }
          const { lastInsertRowid } = insertKey.run(tenantId, entry.id, entry.documentId, entry.vector.length);
          this.db
            .prepare(`INSERT INTO "${this.table(entry.vector.length)}" (rowid, tenant_id, embedding) VALUES (?, ?, ?)`)
            .run(BigInt(lastInsertRowid), tenantId, new Float32Array(entry.vector));
        }
      })
      .immediate();
  }

  async query(tenantId: string, vector: readonly number[], k: number): Promise<VectorMatch[]> {
    checkVector(vector);
    if (!this.hasTable(vector.length)) return [];
    // The key table's tenant_id is checked again, so a row can only ever come back to its own tenant.
    return this.db
      .prepare(
        `WITH knn AS (SELECT rowid, distance FROM "${this.table(vector.length)}" WHERE embedding MATCH @vector AND k = @k AND tenant_id = @tenantId)
         SELECT keys.id AS id, keys.document_id AS documentId, knn.distance AS distance
         FROM knn JOIN "${this.keys}" AS keys ON keys.rowid = knn.rowid AND keys.tenant_id = @tenantId
         ORDER BY knn.distance, keys.id`,
      )
      .all({ vector: new Float32Array(vector), k: clampK(k), tenantId }) as VectorMatch[];
  }

  async deleteDocument(tenantId: string, documentId: string): Promise<number> {
    return this.deleteRows(
      this.db.prepare(`SELECT rowid, dimensions FROM "${this.keys}" WHERE tenant_id = ? AND document_id = ?`).all(tenantId, documentId) as KeyRow[],
    );
  }

  async deleteTenant(tenantId: string): Promise<number> {
    return this.deleteRows(this.db.prepare(`SELECT rowid, dimensions FROM "${this.keys}" WHERE tenant_id = ?`).all(tenantId) as KeyRow[]);
  }

  private deleteRows(rows: KeyRow[]): number {
    const deleteKey = this.db.prepare(`DELETE FROM "${this.keys}" WHERE rowid = ?`);
    return this.db
      .transaction(() => {
        for (const row of rows) {
          this.db.prepare(`DELETE FROM "${this.table(row.dimensions)}" WHERE rowid = ?`).run(row.rowid);
          deleteKey.run(row.rowid);
        }
        return rows.length;
      })
      .immediate();
  }

  async count(tenantId: string): Promise<number> {
    return this.db.prepare(`SELECT COUNT(*) FROM "${this.keys}" WHERE tenant_id = ?`).pluck().get(tenantId) as number;
  }

  /** Rows of the vector tables themselves for a tenant (the key table aside); for tests that check nothing is left behind. */
  vectorRows(tenantId: string): number {
    const tables = this.db
      .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%' AND name LIKE ? ESCAPE '\\'`)
      .pluck()
      .all(`${this.prefix.replaceAll('_', '\\_')}\\_d%`) as string[];
    return tables.reduce((total, table) => total + (this.db.prepare(`SELECT COUNT(*) FROM "${table}" WHERE tenant_id = ?`).pluck().get(tenantId) as number), 0);
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
