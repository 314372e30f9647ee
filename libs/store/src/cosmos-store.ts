import type { Agent } from 'node:http';
import type { TokenCredential } from '@azure/core-auth';
import {
  CosmosClient,
  type CompositePath,
  type ConnectionPolicy,
  type Container,
  type Database,
  type ItemDefinition,
  type JSONObject,
  type OperationInput,
  type SqlParameter,
} from '@azure/cosmos';
import { BadUserInputError, ConflictError, PreconditionFailedError, UnavailableError } from '@switchyard/contracts';
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
} from './query-model.ts';

export interface CosmosStoreOptions {
  endpoint: string;
  /** The account key; without one, Microsoft Entra ID (`credential`) signs the requests. */
  key?: string;
  /** Entra ID credential (e.g. DefaultAzureCredential: workload identity on AKS), used when no key is given. */
  credential?: TokenCredential;
  databaseId: string;
  /** Prepended to every container id, so several services can share one database. */
  containerPrefix?: string;
  /** HTTP(S) agent, e.g. one that accepts a local emulator's self-signed certificate. */
  agent?: Agent;
  connectionPolicy?: Partial<ConnectionPolicy>;
}

const SYSTEM_PROPERTIES = ['_rid', '_self', '_etag', '_attachments', '_ts'] as const;
const DELETE_CONCURRENCY = 16;
const INCREMENT_ATTEMPTS = 50;

function statusOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

function stripSystem<T>(resource: ItemDefinition): T {
  const doc: Record<string, unknown> = { ...resource };
  for (const property of SYSTEM_PROPERTIES) delete doc[property];
  return doc as T;
}

function stored<T extends BaseDocument>(resource: ItemDefinition): Stored<T> {
  return { doc: stripSystem<T>(resource), etag: resource._etag as string };
}

/** `c["a"]["b"]`: bracket form, because many plain field names (value, order, top…) are Cosmos SQL keywords. */
function pathExpr(path: string[]): string {
  return `c${path.map((segment) => `["${segment}"]`).join('')}`;
}

/** Every ORDER BY this adapter can issue for the collection, each ascending and descending. */
function compositeIndexes(options: CollectionOptions): CompositePath[][] {
  const orders = [...(options.indexes ?? []).map((field) => [field]), ...(options.compositeIndexes ?? [])];
  const withTieBreakers = [['id', 'tenantId'], ...orders.flatMap((fields) => [[...fields, 'id'], [...fields, 'id', 'tenantId']])];
  return withTieBreakers.flatMap((fields) =>
    (['ascending', 'descending'] as const).map((order) => fields.map((field) => ({ path: `/${fieldPath(field).join('/')}`, order }))),
  );
}

async function ignoreConflict(promise: Promise<unknown>): Promise<void> {
  try {
    await promise;
  } catch (error) {
    // Another process created it between the SDK's existence check and its create.
    if (statusOf(error) !== 409) throw error;
  }
}

/**
 * Renders predicates as flat OR-lists inside one pair of parentheses: the emulator's SQL parser takes
 * time exponential in parenthesis nesting (see keysetCondition).
 */
class QueryBuilder {
  readonly parameters: SqlParameter[] = [];

  param(value: Scalar): string {
    const name = `@p${this.parameters.length}`;
    this.parameters.push({ name, value });
    return name;
  }

  predicate({ path, op, value }: Predicate): string {
    const expr = pathExpr(path);
    const isNull = [`NOT IS_DEFINED(${expr})`, `IS_NULL(${expr})`];
    const eq = (v: Scalar) => (v === null ? isNull : [`${expr} = ${this.param(v)}`]);
    const any = (alternatives: string[]) => (alternatives.length ? `(${alternatives.join(' OR ')})` : '1 = 0');
    switch (op) {
      case 'eq':
        return any(eq(value as Scalar));
      case 'ne':
        return value === null
          ? `IS_DEFINED(${expr}) AND NOT IS_NULL(${expr})`
          : any([...isNull, `${expr} != ${this.param(value as Scalar)}`]);
      case 'in':
        return any((Array.isArray(value) ? value : [value]).flatMap(eq));
      default: {
        const sqlOp = { lt: '<', lte: '<=', gt: '>', gte: '>=' }[op];
        if (value === null || Array.isArray(value)) throw new TypeError(`"${op}" needs a string or number.`);
        return `${expr} ${sqlOp} ${this.param(value)}`;
      }
    }
  }

  readonly keyset: KeysetDialect = {
    compare: (key, op, value) => `${pathExpr(key.path)} ${op} ${this.param(value)}`,
    isNull: (key) => [[`NOT IS_DEFINED(${pathExpr(key.path)})`], [`IS_NULL(${pathExpr(key.path)})`]],
    notNull: (key) => [`IS_DEFINED(${pathExpr(key.path)})`, `NOT IS_NULL(${pathExpr(key.path)})`],
  };

  where(tenantId: string | null, where: QueryOptions['where']): string[] {
    const conditions = parseWhere(where).map((predicate) => this.predicate(predicate));
    // The partition key option alone is not a filter everywhere (the local emulator ignores it), so say it in SQL.
    if (tenantId !== null) conditions.unshift(`c.tenantId = ${this.param(tenantId)}`);
    return conditions;
  }
}

function whereClause(conditions: string[]): string {
  return conditions.length ? `WHERE ${conditions.join(' AND ')}` : '';
}

/**
 * The Azure Cosmos DB DocumentStore: one container per collection (`<containerPrefix><name>`,
 * partition key /tenantId, created on first use), optimistic concurrency through `_etag` and
 * If-Match, keyset pagination over ORDER BY with `id` as tie-breaker. Every tenant-scoped query also
 * filters on `c.tenantId` in SQL. Sorting needs the composite indexes this adapter derives from
 * CollectionOptions when it creates a container, so declare sorted fields there.
 */
export class CosmosStore implements DocumentStore {
  private readonly client: CosmosClient;
  private readonly prefix: string;
  private databasePromise: Promise<Database> | undefined;
  private readonly collections = new Map<string, CosmosCollection<BaseDocument>>();

  constructor(private readonly options: CosmosStoreOptions) {
    this.prefix = options.containerPrefix ?? '';
    this.client = new CosmosClient({
      endpoint: options.endpoint,
      ...(options.key ? { key: options.key } : { aadCredentials: options.credential }),
      ...(options.agent ? { agent: options.agent } : {}),
      ...(options.connectionPolicy ? { connectionPolicy: options.connectionPolicy } : {}),
    });
  }

  collection<T extends BaseDocument>(name: string, options: CollectionOptions = {}): Collection<T> {
    let collection = this.collections.get(name);
    if (!collection) {
      collection = new CosmosCollection(this, name, `${this.prefix}${name}`, options);
      this.collections.set(name, collection);
    }
    return collection as unknown as Collection<T>;
  }

  /** @internal */
  database(): Promise<Database> {
    this.databasePromise ??= (async () => {
      await ignoreConflict(this.client.databases.createIfNotExists({ id: this.options.databaseId }));
      return this.client.database(this.options.databaseId);
    })().catch((error: unknown) => {
      this.databasePromise = undefined;
      throw error;
    });
    return this.databasePromise;
  }

  /** Covers every container with this store's prefix, including ones only other processes have opened. */
  async deleteTenant(tenantId: string): Promise<number> {
    const database = this.client.database(this.options.databaseId);
    let ids: string[];
    try {
      const { resources } = await database.containers.readAll().fetchAll();
      ids = resources.map((container) => container.id).filter((id) => id.startsWith(this.prefix));
    } catch (error) {
      if (statusOf(error) === 404) return 0;
      throw error;
    }
    const counts = await Promise.all(ids.map((id) => deleteTenantIn(database.container(id), tenantId)));
    return counts.reduce((a, b) => a + b, 0);
  }

  async exportTenant(tenantId: string): Promise<Record<string, unknown[]>> {
    const database = this.client.database(this.options.databaseId);
    let ids: string[];
    try {
      const { resources } = await database.containers.readAll().fetchAll();
      ids = resources.map((container) => container.id).filter((id) => id.startsWith(this.prefix));
    } catch (error) {
      if (statusOf(error) === 404) return {};
      throw error;
    }
    const result: Record<string, unknown[]> = {};
    for (const id of ids) {
      const { resources } = await database
        .container(id)
        .items.query<ItemDefinition>({ query: 'SELECT * FROM c WHERE c.tenantId = @tenantId', parameters: [{ name: '@tenantId', value: tenantId }] }, { partitionKey: tenantId })
        .fetchAll();
      if (resources.length > 0) result[id.slice(this.prefix.length)] = resources.map((resource) => stripSystem<unknown>(resource));
    }
    return result;
  }

  async close(): Promise<void> {
    this.client.dispose();
  }
}

async function deleteTenantIn(container: Container, tenantId: string): Promise<number> {
  const { resources: ids } = await container.items
    .query<string>(
      { query: 'SELECT VALUE c.id FROM c WHERE c.tenantId = @tenantId', parameters: [{ name: '@tenantId', value: tenantId }] },
      { partitionKey: tenantId },
    )
    .fetchAll();
  let deleted = 0;
  for (let i = 0; i < ids.length; i += DELETE_CONCURRENCY) {
    const results = await Promise.all(ids.slice(i, i + DELETE_CONCURRENCY).map((id) => deleteItem(container, tenantId, id)));
    deleted += results.filter(Boolean).length;
  }
  return deleted;
}

/**
 * Whether Cosmos DB can hold a document under this id: not empty or only white space, at most 255 characters, none of
 * / \\ ? # (which the service refuses in ids), and well-formed UTF-16 (no lone surrogate, which
 * cannot be put in the request's URL). No stored document has any other id, so reads and deletes
 * of one find nothing, and writes are refused as bad input instead of failing inside the SDK.
 */
export function isStorableId(id: string): boolean {
  return typeof id === 'string' && id.length <= 255 && !/^\s*$/.test(id) && !/[/\\?#]/.test(id) && !LONE_SURROGATE.test(id);
}
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function requireStorableId(name: string, id: string): void {
  if (!isStorableId(id)) {
    throw new BadUserInputError(`${name} id ${JSON.stringify(id.slice(0, 80))} cannot be stored: use 1 to 255 characters without / \\ ? # and no unpaired surrogates.`);
  }
}

async function deleteItem(container: Container, tenantId: string, id: string, ifMatch?: string): Promise<boolean> {
  if (!isStorableId(id)) return false;
  try {
    await container.item(id, tenantId).delete(ifMatch === undefined ? {} : { accessCondition: { type: 'IfMatch', condition: ifMatch } });
    return true;
  } catch (error) {
    if (statusOf(error) === 404) return false;
    throw error;
  }
}

class CosmosCollection<T extends BaseDocument> implements Collection<T> {
  private containerPromise: Promise<Container> | undefined;
  private readonly incrementQueue = new Map<string, Promise<number>>();

  constructor(
    private readonly store: CosmosStore,
    readonly name: string,
    private readonly containerId: string,
    private readonly options: CollectionOptions,
  ) {
    this.sorts = declaredSorts(options);
  }

  private container(): Promise<Container> {
    this.containerPromise ??= (async () => {
      const database = await this.store.database();
      await ignoreConflict(
        database.containers.createIfNotExists({
          id: this.containerId,
          partitionKey: { paths: ['/tenantId'] },
          indexingPolicy: { compositeIndexes: compositeIndexes(this.options) },
        }),
      );
      return database.container(this.containerId);
    })().catch((error: unknown) => {
      this.containerPromise = undefined;
      throw error;
    });
    return this.containerPromise;
  }

  private async read(tenantId: string, id: string): Promise<ItemDefinition | undefined> {
    if (!isStorableId(id)) return undefined;
    const container = await this.container();
    try {
      const { resource } = await container.item(id, tenantId).read<ItemDefinition>();
      return resource;
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  async get(tenantId: string, id: string): Promise<Stored<T> | null> {
    const resource = await this.read(tenantId, id);
    return resource ? stored<T>(resource) : null;
  }

  async create(doc: T): Promise<Stored<T>> {
    checkIdentity(doc);
    requireStorableId(this.name, doc.id);
    const container = await this.container();
    try {
      const { resource } = await container.items.create<T>(doc);
      return stored<T>(resource!);
    } catch (error) {
      if (statusOf(error) === 409) throw new ConflictError(`${this.name} "${doc.id}" already exists.`);
      throw error;
    }
  }

  async batch(tenantId: string, operations: readonly BatchOperation<T>[]): Promise<Stored<T>[]> {
    checkBatch(tenantId, operations, MAX_BATCH_OPERATIONS);
    for (const { doc } of operations) requireStorableId(this.name, doc.id);
    if (operations.length === 0) return [];
    const container = await this.container();
    const inputs: OperationInput[] = operations.map(({ kind, doc }) => ({ operationType: kind === 'create' ? 'Create' : 'Upsert', resourceBody: doc as unknown as JSONObject }));
    // A transactional batch: Cosmos DB applies every operation or none, in one round trip.
    const { result } = await container.items.batch(inputs, tenantId);
    const results = result ?? [];
    const failed = results.find((r) => r.statusCode >= 400 && r.statusCode !== 424) ?? results.find((r) => r.statusCode >= 400);
    if (failed || results.length !== operations.length) {
      if (failed?.statusCode === 409) throw new ConflictError(`${this.name}: a document the batch creates already exists; nothing of the batch was written.`);
      throw Object.assign(new Error(`${this.name}: Cosmos DB refused the batch (status ${failed?.statusCode ?? 'missing'}); nothing of it was written.`), { code: failed?.statusCode ?? 500 });
    }
    return results.map((r) => stored<T>(r.resourceBody as unknown as ItemDefinition));
  }

  async upsert(doc: T, options: { ifMatch?: string } = {}): Promise<Stored<T>> {
    // Upsert with If-Match creates a missing document (the emulator does; Cosmos varies); replace keeps "only that version" strict.
    if (options.ifMatch !== undefined) return this.replace(doc, options);
    checkIdentity(doc);
    requireStorableId(this.name, doc.id);
    const container = await this.container();
    const { resource } = await container.items.upsert<T>(doc);
    return stored<T>(resource!);
  }

  async replace(doc: T, options: { ifMatch?: string } = {}): Promise<Stored<T>> {
    checkIdentity(doc);
    requireStorableId(this.name, doc.id);
    const container = await this.container();
    try {
      const { resource } = await container
        .item(doc.id, doc.tenantId)
        .replace<T>(doc, options.ifMatch === undefined ? {} : { accessCondition: { type: 'IfMatch', condition: options.ifMatch } });
      return stored<T>(resource!);
    } catch (error) {
      const status = statusOf(error);
      if (status === 404) throw new PreconditionFailedError(`${this.name} "${doc.id}" does not exist, so it cannot be replaced.`);
      if (status === 412) throw new PreconditionFailedError(`${this.name} "${doc.id}" changed since it was read; re-read and retry.`);
      throw error;
    }
  }

  async delete(tenantId: string, id: string, options: { ifMatch?: string } = {}): Promise<boolean> {
    const container = await this.container();
    try {
      return await deleteItem(container, tenantId, id, options.ifMatch);
    } catch (error) {
      if (statusOf(error) === 412) throw new PreconditionFailedError(`${this.name} "${id}" changed since it was read; re-read and retry.`);
      throw error;
    }
  }

  async query(tenantId: string, options: QueryOptions = {}): Promise<Page<T>> {
    return this.page(tenantId, options);
  }

  async queryAllTenants(options: QueryOptions = {}): Promise<Page<T>> {
    return this.page(null, options);
  }

  private readonly sorts: Set<string>;

  private async page(tenantId: string | null, options: QueryOptions): Promise<Page<T>> {
    assertSortDeclared(this.name, options.orderBy, this.sorts);
    const size = pageSize(options.first);
    const keys = parseSort(options.orderBy, tenantId === null);
    const builder = new QueryBuilder();
    const conditions = builder.where(tenantId, options.where);
    if (options.after !== undefined) conditions.push(keysetCondition(keys, decodeCursor(options.after, keys), builder.keyset));
    const order = keys.map((key) => `${pathExpr(key.path)} ${key.desc ? 'DESC' : 'ASC'}`).join(', ');
    const container = await this.container();
    const { resources } = await container.items
      .query<ItemDefinition>(
        { query: `SELECT TOP ${size + 1} * FROM c ${whereClause(conditions)} ORDER BY ${order}`, parameters: builder.parameters },
        tenantId === null ? {} : { partitionKey: tenantId },
      )
      .fetchAll();
    return toPage(
      resources.map((resource) => stored<T>(resource)),
      size,
      (item) => item.doc,
      keys,
    );
  }

  async count(tenantId: string, where?: QueryOptions['where']): Promise<number> {
    const builder = new QueryBuilder();
    const conditions = builder.where(tenantId, where);
    const container = await this.container();
    const { resources } = await container.items
      .query<number>({ query: `SELECT VALUE COUNT(1) FROM c ${whereClause(conditions)}`, parameters: builder.parameters }, { partitionKey: tenantId })
      .fetchAll();
    return resources[0] ?? 0;
  }

  /**
   * Calls for one document queue behind each other in this process, so local callers never race;
   * other processes are handled by the optimistic loop in incrementOnce.
   */
  async increment(tenantId: string, id: string, field: string, by: number, initial?: Omit<T, 'id' | 'tenantId'>): Promise<number> {
    const key = JSON.stringify([tenantId, id]);
    const run = (this.incrementQueue.get(key) ?? Promise.resolve())
      .catch(() => undefined)
      .then(() => this.incrementOnce(tenantId, id, field, by, initial));
    this.incrementQueue.set(key, run);
    try {
      return await run;
    } finally {
      if (this.incrementQueue.get(key) === run) this.incrementQueue.delete(key);
    }
  }

  /** Read, then create or replace with If-Match; a lost race (409/412/404) re-reads and tries again. */
  private async incrementOnce(tenantId: string, id: string, field: string, by: number, initial?: Omit<T, 'id' | 'tenantId'>) {
    const path = fieldPath(field);
    const container = await this.container();
    for (let attempt = 0; attempt < INCREMENT_ATTEMPTS; attempt++) {
      const current = await this.read(tenantId, id);
      const doc: Record<string, unknown> = current ? stripSystem(current) : { ...initial, id, tenantId };
      const value = numericField(doc, path, field) + by;
      setPath(doc, path, value);
      try {
        if (current) {
          await container.item(id, tenantId).replace(doc, { accessCondition: { type: 'IfMatch', condition: current._etag as string } });
        } else {
          await container.items.create(doc);
        }
        return value;
      } catch (error) {
        const status = statusOf(error);
        if (status !== 409 && status !== 412 && status !== 404) throw error;
      }
      // Full-jitter exponential backoff so competing writers spread out instead of retrying in lockstep.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(1000, 10 * 2 ** attempt)));
    }
    throw new UnavailableError(`Could not increment ${this.name} "${id}".${field}: too much contention; retry later.`);
  }

  async deleteTenant(tenantId: string): Promise<number> {
    return deleteTenantIn(await this.container(), tenantId);
  }
}
