import { randomUUID } from 'node:crypto';
import { BadUserInputError, NotFoundError, type TenantContext } from '@switchyard/contracts';
import type { Collection, DocumentStore } from '@switchyard/store';
import { requireRole, requireTenant } from '@switchyard/service-kit';
import { chunkText, extractText, terms } from './chunking.ts';

interface DocumentDoc {
  id: string;
  tenantId: string;
  title: string;
  mimeType: string;
  chunks: number;
  createdAt: string;
}

interface ChunkDoc {
  id: string;
  tenantId: string;
  documentId: string;
  title: string;
  ordinal: number;
  text: string;
  terms: Record<string, number>;
}

const SUPPORTED = ['text/plain', 'text/markdown', 'text/html'];
const MAX_CONTENT = 5_000_000;

/**
 * A tenant's documents, split into chunks and searched with lexical relevance (BM25-style term
 * weighting over the tenant's own chunks). Vector search over embeddings replaces the ranking when
 * the embedding pipeline arrives; the API stays the same.
 */
export class KnowledgeManager {
  private readonly documents: Collection<DocumentDoc>;
  private readonly chunks: Collection<ChunkDoc>;
  constructor(store: DocumentStore) {
    this.documents = store.collection<DocumentDoc>('documents', { indexes: ['createdAt'] });
    this.chunks = store.collection<ChunkDoc>('chunks', { indexes: ['documentId'] });
  }

  async ingest(context: TenantContext, input: { title: string; content: string; mimeType?: string | null }): Promise<DocumentDoc> {
    requireRole(context, 'DEVELOPER', 'ingestDocument');
    const tenantId = requireTenant(context, 'ingestDocument');
    const mimeType = input.mimeType ?? 'text/plain';
    if (!SUPPORTED.includes(mimeType)) {
      throw new BadUserInputError(`mimeType ${mimeType} is not supported yet; send one of ${SUPPORTED.join(', ')}.`, { field: 'input.mimeType' });
    }
    const title = input.title.trim();
    if (!title || title.length > 500) throw new BadUserInputError('input.title must be 1 to 500 characters.', { field: 'input.title' });
    if (input.content.length > MAX_CONTENT) throw new BadUserInputError(`input.content is larger than ${MAX_CONTENT} characters; split the document.`, { field: 'input.content' });
    const pieces = chunkText(extractText(input.content, mimeType));
    if (pieces.length === 0) throw new BadUserInputError('input.content has no text to index.', { field: 'input.content' });
    const id = randomUUID();
    for (const [ordinal, text] of pieces.entries()) {
      const counts: Record<string, number> = {};
      for (const term of terms(`${title} ${text}`)) counts[term] = (counts[term] ?? 0) + 1;
      await this.chunks.create({ id: `${id}:${ordinal}`, tenantId, documentId: id, title, ordinal, text, terms: counts });
    }
    const doc: DocumentDoc = { id, tenantId, title, mimeType, chunks: pieces.length, createdAt: new Date().toISOString() };
    await this.documents.create(doc);
    return doc;
  }

  async list(context: TenantContext): Promise<DocumentDoc[]> {
    requireRole(context, 'VIEWER', 'Listing documents');
    const tenantId = requireTenant(context, 'Listing documents');
    return (await this.documents.query(tenantId, { orderBy: [{ field: 'createdAt', direction: 'desc' }], first: 1000 })).items.map((i) => i.doc);
  }

  async delete(context: TenantContext, id: string): Promise<boolean> {
    requireRole(context, 'DEVELOPER', 'deleteDocument');
    const tenantId = requireTenant(context, 'deleteDocument');
    const doc = await this.documents.get(tenantId, id);
    if (!doc) throw new NotFoundError('Document', id);
    for (let ordinal = 0; ordinal < doc.doc.chunks; ordinal++) await this.chunks.delete(tenantId, `${id}:${ordinal}`);
    return this.documents.delete(tenantId, id);
  }

  async search(context: TenantContext, query: string, first = 5) {
    requireRole(context, 'VIEWER', 'knowledgeSearch');
    const tenantId = requireTenant(context, 'knowledgeSearch');
    const queryTerms = [...new Set(terms(query))];
    if (queryTerms.length === 0) throw new BadUserInputError('query has no searchable words.', { field: 'query' });
    const limit = Math.min(Math.max(first, 1), 50);
    const all: ChunkDoc[] = [];
    let after: string | undefined;
    do {
      const page = await this.chunks.query(tenantId, { first: 1000, after });
      all.push(...page.items.map((i) => i.doc));
      after = page.hasNextPage && page.endCursor ? page.endCursor : undefined;
    } while (after);
    const avgLength = all.reduce((sum, c) => sum + Object.values(c.terms).reduce((a, b) => a + b, 0), 0) / Math.max(all.length, 1);
    const idf = new Map(queryTerms.map((t) => [t, Math.log(1 + (all.length - count(all, t) + 0.5) / (count(all, t) + 0.5))]));
    const scored = all.map((chunk) => {
      const length = Object.values(chunk.terms).reduce((a, b) => a + b, 0);
      let score = 0;
      for (const term of queryTerms) {
        const tf = chunk.terms[term] ?? 0;
        score += (idf.get(term)! * tf * 2.2) / (tf + 1.2 * (0.25 + 0.75 * (length / avgLength)));
      }
      return { documentId: chunk.documentId, title: chunk.title, text: chunk.text, score };
    });
    return scored.filter((hit) => hit.score > 0).sort((a, b) => b.score - a.score).slice(0, limit);
  }
}

function count(chunks: ChunkDoc[], term: string): number {
  return chunks.reduce((n, c) => n + (c.terms[term] ? 1 : 0), 0);
}
