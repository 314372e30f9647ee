import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { ConflictError, PreconditionFailedError } from '@switchyard/contracts';
import { MAX_BATCH_OPERATIONS } from './document-store.ts';
import type {
  BaseDocument,
  BatchOperation,
  Collection,
  CollectionOptions,
  DocumentStore,
  Page,
  QueryOptions,
  Scalar,
  Stored,
} from './document-store.ts';
import {
  checkBatch,
  checkIdentity,
  decodeCursor,
  fieldPath,
  keysetCondition,
  numericField,
  pageSize,
  parseSort,
  parseWhere,
  setPath,
  toPage,
  type KeysetDialect,
  type Predicate,
  assertSortDeclared,
  declaredSorts,
  type SortKey,
} from './query-model.ts';

export interface SqliteStoreOptions {
  /** Database file (parent directories are created) or ':memory:'. */
  filename: string;
}

interface Row {
  id: string;
  tenant_id: string;
  etag: string;
  data: string;
}

type Params = Record<string, string | number | null>;

const TABLE_PREFIX = 'doc_';
const STATEMENT_CACHE_SIZE = 500;

function tableName(collection: string): string {
  const safe = collection.replace(/[^A-Za-z0-9_]/g, '_');
  // Distinct names that sanitize alike ("a-b", "a.b") must not share a table.
  const suffix = safe === collection ? '' : `_${createHash('sha1').update(collection).digest('hex').slice(0, 8)}`;
  return `${TABLE_PREFIX}${safe}${suffix}`;
}

/** `json_extract(data, '$.a.b')`, spelled identically in indexes and queries so the planner matches them. */
function jsonExpr(path: string[]): string {
  return `json_extract(data, '$.${path.join('.')}')`;
}

function keyExpr(key: SortKey): string {
  if (key.path.length === 1 && key.path[0] === 'id') return 'id';
  if (key.path.length === 1 && key.path[0] === 'tenantId') return 'tenant_id';
  return jsonExpr(key.path);
}

/** json_extract yields 1/0 for JSON booleans, so bind booleans that way and check json_type to tell them from numbers. */
function bindable(value: Scalar): string | number | null {
  return typeof value === 'boolean' ? Number(value) : value;
}

function typeGuard(path: string[], value: Exclude<Scalar, null>): string {
  const type = `json_type(data, '$.${path.join('.')}')`;
  if (typeof value === 'boolean') return `${type} = '${value ? 'true' : 'false'}'`;
  if (typeof value === 'number') return `${type} IN ('integer', 'real')`;
  return `${type} = 'text'`;
}

class SqlBuilder {
  readonly params: Params = {};
  private next = 0;

  param(value: Scalar): string {
    const name = `p${this.next++}`;
    this.params[name] = bindable(value);
    return `@${name}`;
  }

  predicate({ path, op, value }: Predicate): string {
    const expr = jsonExpr(path);
    const eq = (v: Scalar) => (v === null ? `${expr} IS NULL` : `(${expr} = ${this.param(v)} AND ${typeGuard(path, v)})`);
    switch (op) {
      case 'eq':
        return eq(value as Scalar);
      case 'ne':
        return value === null ? `${expr} IS NOT NULL` : `(${expr} IS NULL OR NOT ${eq(value as Scalar)})`;
      case 'in': {
        const values = Array.isArray(value) ? value : [value];
        return values.length ? `(${values.map(eq).join(' OR ')})` : '(1 = 0)';
      }
      default: {
        const sqlOp = { lt: '<', lte: '<=', gt: '>', gte: '>=' }[op];
        if (value === null || Array.isArray(value)) throw new TypeError(`"${op}" needs a string or number.`);
        return `(${expr} ${sqlOp} ${this.param(value)} AND ${typeGuard(path, value)})`;
      }
    }
  }

  readonly keyset: KeysetDialect = {
    compare: (key, op, value) => `${keyExpr(key)} ${op} ${this.param(value)}`,
    isNull: (key) => [[`${keyExpr(key)} IS NULL`]],
    notNull: (key) => [`${keyExpr(key)} IS NOT NULL`],
  };
}

/**
 * The embedded DocumentStore: one SQLite file per service, one table per collection holding each
 * document as JSON. WAL mode and a busy timeout let several processes share the file; conditional
 * writes are single guarded statements and increments run in IMMEDIATE transactions, so both stay
 * atomic across processes.
 */
export class SqliteStore implements DocumentStore {
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();
  private readonly collections = new Map<string, SqliteCollection<BaseDocument>>();

  constructor(options: SqliteStoreOptions) {
    if (options.filename !== ':memory:') mkdirSync(dirname(options.filename), { recursive: true });
    this.db = new Database(options.filename);
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
  }

  collection<T extends BaseDocument>(name: string, options: CollectionOptions = {}): Collection<T> {
    let collection = this.collections.get(name);
    if (!collection) {
      collection = new SqliteCollection(this, name, tableName(name));
      this.collections.set(name, collection);
    }
    collection.ensureIndexes(options);
    return collection as unknown as Collection<T>;
  }

  /** Covers every collection table in the file, including ones only other processes have opened. */
  async deleteTenant(tenantId: string): Promise<number> {
    const tables = this.statement(`SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'doc\\_%' ESCAPE '\\'`)
      .pluck()
      .all() as string[];
    return this.transaction(() =>
      tables.reduce((total, table) => total + this.statement(`DELETE FROM "${table}" WHERE tenant_id = ?`).run(tenantId).changes, 0),
    );
  }

  async exportTenant(tenantId: string): Promise<Record<string, unknown[]>> {
    const tables = this.statement(`SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'doc\\_%' ESCAPE '\\'`)
      .pluck()
      .all() as string[];
    const result: Record<string, unknown[]> = {};
    for (const table of tables) {
      const rows = this.statement(`SELECT data FROM "${table}" WHERE tenant_id = ? ORDER BY id`).pluck().all(tenantId) as string[];
      if (rows.length > 0) result[table.slice('doc_'.length)] = rows.map((row) => JSON.parse(row) as unknown);
    }
    return result;
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  /** @internal */
  exec(sql: string): void {
    this.db.exec(sql);
  }

  /** @internal */
  transaction<R>(fn: () => R): R {
    return this.db.transaction(fn).immediate();
  }

  /** @internal Prepared statements keyed by SQL text, least recently used evicted first. */
  statement(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (statement) {
      this.statements.delete(sql);
    } else {
      statement = this.db.prepare(sql);
      if (this.statements.size >= STATEMENT_CACHE_SIZE) this.statements.delete(this.statements.keys().next().value!);
    }
    this.statements.set(sql, statement);
    return statement;
  }
}

class SqliteCollection<T extends BaseDocument> implements Collection<T> {
  private readonly indexed = new Set<string>();

  constructor(
    private readonly store: SqliteStore,
    readonly name: string,
    private readonly table: string,
  ) {
    store.exec(
      `CREATE TABLE IF NOT EXISTS "${table}" (tenant_id TEXT NOT NULL, id TEXT NOT NULL, etag TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (tenant_id, id)) WITHOUT ROWID`,
    );
  }

  private readonly sorts = new Set<string>();

  ensureIndexes(options: CollectionOptions): void {
    declaredSorts(options, this.sorts);
    const indexes = [...(options.indexes ?? []).map((field) => [field]), ...(options.compositeIndexes ?? [])];
    for (const fields of indexes) {
      const name = `${this.table}.${fields.join(',')}`;
      if (this.indexed.has(name)) continue;
      const columns = fields.map((field) => jsonExpr(fieldPath(field))).join(', ');
      this.store.exec(`CREATE INDEX IF NOT EXISTS "${name}" ON "${this.table}" (tenant_id, ${columns})`);
      this.indexed.add(name);
    }
  }

  private sql(template: string): Database.Statement {
    return this.store.statement(template.replaceAll('$table', `"${this.table}"`));
  }

  private stored(row: Row): Stored<T> {
    return { doc: JSON.parse(row.data) as T, etag: row.etag };
  }

  async get(tenantId: string, id: string): Promise<Stored<T> | null> {
    const row = this.sql('SELECT etag, data FROM $table WHERE tenant_id = ? AND id = ?').get(tenantId, id) as Row | undefined;
    return row ? this.stored(row) : null;
  }

  async create(doc: T): Promise<Stored<T>> {
    checkIdentity(doc);
    const data = JSON.stringify(doc);
    const etag = randomUUID();
    try {
      this.sql('INSERT INTO $table (tenant_id, id, etag, data) VALUES (?, ?, ?, ?)').run(doc.tenantId, doc.id, etag, data);
    } catch (error) {
      if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
        throw new ConflictError(`${this.name} "${doc.id}" already exists.`);
      }
      throw error;
    }
    return { doc: JSON.parse(data) as T, etag };
  }

  async batch(tenantId: string, operations: readonly BatchOperation<T>[]): Promise<Stored<T>[]> {
    checkBatch(tenantId, operations, MAX_BATCH_OPERATIONS);
    if (operations.length === 0) return [];
    const insert = this.sql('INSERT INTO $table (tenant_id, id, etag, data) VALUES (?, ?, ?, ?)');
    const upsert = this.sql(
      'INSERT INTO $table (tenant_id, id, etag, data) VALUES (?, ?, ?, ?) ON CONFLICT (tenant_id, id) DO UPDATE SET etag = excluded.etag, data = excluded.data',
    );
    const rows = operations.map(({ kind, doc }) => ({ kind, doc, data: JSON.stringify(doc), etag: randomUUID() }));
    try {
      // One IMMEDIATE transaction: a throw rolls back every write before it.
      this.store.transaction(() => {
        for (const row of rows) (row.kind === 'create' ? insert : upsert).run(tenantId, row.doc.id, row.etag, row.data);
      });
    } catch (error) {
      if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
        throw new ConflictError(`${this.name}: a document the batch creates already exists; nothing of the batch was written.`);
      }
      throw error;
    }
    return rows.map((row) => ({ doc: JSON.parse(row.data) as T, etag: row.etag }));
  }

  async upsert(doc: T, options: { ifMatch?: string } = {}): Promise<Stored<T>> {
    if (options.ifMatch !== undefined) return this.replace(doc, options);
    checkIdentity(doc);
    const data = JSON.stringify(doc);
    const etag = randomUUID();
    this.sql(
      'INSERT INTO $table (tenant_id, id, etag, data) VALUES (?, ?, ?, ?) ON CONFLICT (tenant_id, id) DO UPDATE SET etag = excluded.etag, data = excluded.data',
    ).run(doc.tenantId, doc.id, etag, data);
    return { doc: JSON.parse(data) as T, etag };
  }

  async replace(doc: T, options: { ifMatch?: string } = {}): Promise<Stored<T>> {
    checkIdentity(doc);
    const data = JSON.stringify(doc);
    const etag = randomUUID();
    const { changes } =
      options.ifMatch === undefined
        ? this.sql('UPDATE $table SET etag = ?, data = ? WHERE tenant_id = ? AND id = ?').run(etag, data, doc.tenantId, doc.id)
        : this.sql('UPDATE $table SET etag = ?, data = ? WHERE tenant_id = ? AND id = ? AND etag = ?').run(
            etag,
            data,
            doc.tenantId,
            doc.id,
            options.ifMatch,
          );
    if (changes === 0) {
      throw new PreconditionFailedError(
        options.ifMatch === undefined
          ? `${this.name} "${doc.id}" does not exist, so it cannot be replaced.`
          : `${this.name} "${doc.id}" changed since it was read (or no longer exists); re-read and retry.`,
      );
    }
    return { doc: JSON.parse(data) as T, etag };
  }

  async delete(tenantId: string, id: string, options: { ifMatch?: string } = {}): Promise<boolean> {
    if (options.ifMatch === undefined) {
      return this.sql('DELETE FROM $table WHERE tenant_id = ? AND id = ?').run(tenantId, id).changes > 0;
    }
    if (this.sql('DELETE FROM $table WHERE tenant_id = ? AND id = ? AND etag = ?').run(tenantId, id, options.ifMatch).changes > 0) {
      return true;
    }
    if (this.sql('SELECT 1 FROM $table WHERE tenant_id = ? AND id = ?').get(tenantId, id)) {
      throw new PreconditionFailedError(`${this.name} "${id}" changed since it was read; re-read and retry.`);
    }
    return false;
  }

  async query(tenantId: string, options: QueryOptions = {}): Promise<Page<T>> {
    return this.page(tenantId, options);
  }

  async queryAllTenants(options: QueryOptions = {}): Promise<Page<T>> {
    return this.page(null, options);
  }

  private page(tenantId: string | null, options: QueryOptions): Page<T> {
    assertSortDeclared(this.name, options.orderBy, this.sorts);
    const size = pageSize(options.first);
    const keys = parseSort(options.orderBy, tenantId === null);
    const builder = new SqlBuilder();
    const conditions = this.conditions(builder, tenantId, options.where);
    if (options.after !== undefined) conditions.push(keysetCondition(keys, decodeCursor(options.after, keys), builder.keyset));
    const order = keys.map((key) => `${keyExpr(key)} ${key.desc ? 'DESC' : 'ASC'}`).join(', ');
    const rows = this.sql(
      `SELECT tenant_id, id, etag, data FROM $table WHERE ${conditions.join(' AND ')} ORDER BY ${order} LIMIT ${size + 1}`,
    ).all(builder.params) as Row[];
    return toPage(rows.map((row) => this.stored(row)), size, (item) => item.doc, keys);
  }

  private conditions(builder: SqlBuilder, tenantId: string | null, where: QueryOptions['where']): string[] {
    const conditions = parseWhere(where).map((predicate) => builder.predicate(predicate));
    if (tenantId !== null) conditions.unshift(`tenant_id = ${builder.param(tenantId)}`);
    if (conditions.length === 0) conditions.push('1 = 1');
    return conditions;
  }

  async count(tenantId: string, where?: QueryOptions['where']): Promise<number> {
    const builder = new SqlBuilder();
    const conditions = this.conditions(builder, tenantId, where);
    return this.sql(`SELECT COUNT(*) FROM $table WHERE ${conditions.join(' AND ')}`).pluck().get(builder.params) as number;
  }

  async increment(tenantId: string, id: string, field: string, by: number, initial?: Omit<T, 'id' | 'tenantId'>): Promise<number> {
    const path = fieldPath(field);
    return this.store.transaction(() => {
      const row = this.sql('SELECT etag, data FROM $table WHERE tenant_id = ? AND id = ?').get(tenantId, id) as Row | undefined;
      const doc = row ? (JSON.parse(row.data) as Record<string, unknown>) : { ...initial, id, tenantId };
      const value = numericField(doc, path, field) + by;
      setPath(doc, path, value);
      const etag = randomUUID();
      if (row) this.sql('UPDATE $table SET etag = ?, data = ? WHERE tenant_id = ? AND id = ?').run(etag, JSON.stringify(doc), tenantId, id);
      else this.sql('INSERT INTO $table (tenant_id, id, etag, data) VALUES (?, ?, ?, ?)').run(tenantId, id, etag, JSON.stringify(doc));
      return value;
    });
  }

  async deleteTenant(tenantId: string): Promise<number> {
    return this.sql('DELETE FROM $table WHERE tenant_id = ?').run(tenantId).changes;
  }
}
