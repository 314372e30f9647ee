import { ConflictError, PreconditionFailedError } from '@switchyard/contracts';
import type { Collection, DocumentStore } from '@switchyard/store';

/** One stored version of a tenant's graph definition; versions are immutable. */
export interface GraphDefinitionVersionDoc {
  /** `<definitionId>:<version>` */
  id: string;
  tenantId: string;
  definitionId: string;
  name: string;
  version: number;
  definition: Record<string, unknown>;
  createdAt: string;
}

/** The definition itself: its name and which version is the latest. */
interface GraphDefinitionHeadDoc {
  id: string;
  tenantId: string;
  name: string;
  latestVersion: number;
  createdAt: string;
  updatedAt: string;
}

/** Versioned graph definitions per tenant in the engine's store; every call names the tenant. */
export class GraphDefinitionStore {
  private readonly heads: Collection<GraphDefinitionHeadDoc>;
  private readonly versions: Collection<GraphDefinitionVersionDoc>;

  constructor(store: DocumentStore) {
    this.heads = store.collection<GraphDefinitionHeadDoc>('lg_graph_definitions', { indexes: ['createdAt'] });
    this.versions = store.collection<GraphDefinitionVersionDoc>('lg_graph_definition_versions', { indexes: ['definitionId', 'version'] });
  }

  async create(tenantId: string, id: string, name: string, definition: Record<string, unknown>): Promise<GraphDefinitionVersionDoc> {
    const now = new Date().toISOString();
    const version = await this.versions.create({ id: `${id}:1`, tenantId, definitionId: id, name, version: 1, definition, createdAt: now });
    await this.heads.create({ id, tenantId, name, latestVersion: 1, createdAt: now, updatedAt: now });
    return version.doc;
  }

  /** Add the next version; concurrent updates each get their own number. */
  async addVersion(tenantId: string, id: string, definition: Record<string, unknown>, name?: string): Promise<GraphDefinitionVersionDoc | null> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const head = await this.heads.get(tenantId, id);
      if (!head) return null;
      const version = head.doc.latestVersion + 1;
      const now = new Date().toISOString();
      const doc = { id: `${id}:${version}`, tenantId, definitionId: id, name: name ?? head.doc.name, version, definition, createdAt: now };
      try {
        await this.versions.create(doc);
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
        // Another writer took this number; a head left behind by a crash is moved forward first.
        await this.heads.replace({ ...head.doc, latestVersion: version, updatedAt: now }, { ifMatch: head.etag }).catch(ignorePrecondition);
        continue;
      }
      try {
        await this.heads.replace({ ...head.doc, name: doc.name, latestVersion: version, updatedAt: now }, { ifMatch: head.etag });
      } catch (error) {
        ignorePrecondition(error);
        const current = await this.heads.get(tenantId, id);
        if (current && current.doc.latestVersion < version) await this.heads.replace({ ...current.doc, latestVersion: version, updatedAt: now }).catch(ignorePrecondition);
      }
      return doc;
    }
    throw new ConflictError(`Graph definition ${id} is being changed by many writers at once; retry.`);
  }

  /** One version, or the latest when `version` is absent. */
  async get(tenantId: string, id: string, version?: number | null): Promise<GraphDefinitionVersionDoc | null> {
    if (version === undefined || version === null) {
      const head = await this.heads.get(tenantId, id);
      if (!head) return null;
      version = head.doc.latestVersion;
    }
    return (await this.versions.get(tenantId, `${id}:${version}`))?.doc ?? null;
  }

  /** The latest version of every definition of the tenant, oldest definition first. */
  async listLatest(tenantId: string): Promise<GraphDefinitionVersionDoc[]> {
    const out: GraphDefinitionVersionDoc[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await this.heads.query(tenantId, { orderBy: [{ field: 'createdAt', direction: 'asc' }], first: 200, ...(after ? { after } : {}) });
      const versions = await Promise.all(page.items.map((head) => this.versions.get(tenantId, `${head.doc.id}:${head.doc.latestVersion}`)));
      for (const version of versions) if (version) out.push(version.doc);
      if (!page.hasNextPage || !page.endCursor) return out;
      after = page.endCursor;
    }
  }

  async delete(tenantId: string, id: string): Promise<boolean> {
    const existed = await this.heads.delete(tenantId, id);
    let after: string | undefined;
    for (;;) {
      const page = await this.versions.query(tenantId, { where: { definitionId: id }, first: 200, ...(after ? { after } : {}) });
      await Promise.all(page.items.map((item) => this.versions.delete(tenantId, item.doc.id)));
      if (!page.hasNextPage || !page.endCursor) return existed;
      after = page.endCursor;
    }
  }
}

function ignorePrecondition(error: unknown): void {
  if (!(error instanceof PreconditionFailedError)) throw error;
}
