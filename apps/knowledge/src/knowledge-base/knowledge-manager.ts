import { randomUUID } from 'node:crypto';
import { BadUserInputError, NotFoundError, type TenantContext } from '@switchyard/contracts';
import type { Collection, DocumentStore, VectorIndex } from '@switchyard/store';
import { requireRole, requireTenant, type Logger } from '@switchyard/service-kit';
import type { ChunkEmbedder } from './chunk-embedder.ts';
import { chunkText, terms } from './chunking.ts';
import { extractDocumentText, INGEST_LIMITS, isSupportedMimeType, SUPPORTED_MIME_TYPES } from './extraction.ts';
import { reciprocalRankFusion } from './hybrid-ranking.ts';

export interface DocumentDoc {
  id: string;
  tenantId: string;
  title: string;
  mimeType: string;
  chunks: number;
  /** The model whose vectors the document's chunks have. */
  embeddingModel?: string;
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

export interface KnowledgeHit {
  documentId: string;
  title: string;
  text: string;
  /** Fused relevance from 0 to 1 (1: first by both meaning and words). */
  score: number;
}

/** At most this many chunks per document: each is embedded, so this bounds one ingestion's model cost. */
export const MAX_CHUNKS_PER_DOCUMENT = 2000;
const MAX_QUERY_CHARS = 2000;
/** Candidates each ranking contributes to the fusion. */
const CANDIDATES = 50;

/**
 * A tenant's documents, split into chunks that are embedded and stored with their vectors. Search
 * fuses two rankings of the tenant's own chunks with reciprocal rank fusion: nearest vectors (meaning)
 * and BM25 (words), so exact names and numbers still count when the wording differs. Every read and
 * write names the tenant; the vector index is partitioned by tenant as the store is.
 */
export class KnowledgeManager {
  private readonly documents: Collection<DocumentDoc>;
  private readonly chunks: Collection<ChunkDoc>;

  constructor(
    store: DocumentStore,
    private readonly vectors: VectorIndex,
    private readonly embedder: ChunkEmbedder,
    private readonly logger?: Logger,
  ) {
    this.documents = store.collection<DocumentDoc>('documents', { indexes: ['createdAt'] });
    this.chunks = store.collection<ChunkDoc>('chunks', { indexes: ['documentId'] });
  }

  async ingest(context: TenantContext, input: { title: string; content: string; mimeType?: string | null }): Promise<DocumentDoc> {
    requireRole(context, 'DEVELOPER', 'ingestDocument');
    const tenantId = requireTenant(context, 'ingestDocument');
    const mimeType = input.mimeType ?? 'text/plain';
    if (!isSupportedMimeType(mimeType)) {
      throw new BadUserInputError(`mimeType ${mimeType} is not supported; send one of ${SUPPORTED_MIME_TYPES.join(', ')}.`, { field: 'input.mimeType' });
    }
    const title = input.title.trim();
    if (!title || title.length > 500) throw new BadUserInputError('input.title must be 1 to 500 characters.', { field: 'input.title' });
    if (mimeType !== 'application/pdf' && input.content.length > INGEST_LIMITS.maxContentChars) {
      throw new BadUserInputError(`input.content is larger than ${INGEST_LIMITS.maxContentChars} characters; split the document.`, { field: 'input.content' });
    }
    const pieces = chunkText(await extractDocumentText(input.content, mimeType));
    if (pieces.length === 0) throw new BadUserInputError('input.content has no text to index.', { field: 'input.content' });
    if (pieces.length > MAX_CHUNKS_PER_DOCUMENT) {
      throw new BadUserInputError(
        `The document makes ${pieces.length} chunks; at most ${MAX_CHUNKS_PER_DOCUMENT} are accepted per document. Split it into smaller documents.`,
        { field: 'input.content' },
      );
    }
    // Embed first: a model failure leaves nothing behind.
    const { vectors, model } = await this.embedder.embed(
      pieces.map((text) => `${title}\n${text}`),
      { tenantId, step: 'knowledge-ingest', keyId: context.keyId },
    );
    const id = randomUUID();
    const doc: DocumentDoc = { id, tenantId, title, mimeType, chunks: pieces.length, embeddingModel: model, createdAt: new Date().toISOString() };
    try {
      for (const [ordinal, text] of pieces.entries()) {
        const counts: Record<string, number> = {};
        for (const term of terms(`${title} ${text}`)) counts[term] = (counts[term] ?? 0) + 1;
        await this.chunks.create({ id: chunkId(id, ordinal), tenantId, documentId: id, title, ordinal, text, terms: counts });
      }
      await this.vectors.upsert(
        tenantId,
        vectors.map((vector, ordinal) => ({ id: chunkId(id, ordinal), documentId: id, vector })),
      );
      await this.documents.create(doc);
    } catch (error) {
      await this.removeParts(tenantId, id, pieces.length).catch((cleanup: unknown) =>
        this.logger?.error({ err: cleanup, documentId: id }, 'a failed ingestion could not be cleaned up'),
      );
      throw error;
    }
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
    await this.removeParts(tenantId, id, doc.doc.chunks);
    return this.documents.delete(tenantId, id);
  }

  private async removeParts(tenantId: string, documentId: string, chunks: number): Promise<void> {
    await this.vectors.deleteDocument(tenantId, documentId);
    for (let ordinal = 0; ordinal < chunks; ordinal++) await this.chunks.delete(tenantId, chunkId(documentId, ordinal));
  }

  /** The top chunks of the calling tenant's documents for `query`. `workflowId` attributes the query's embedding cost. */
  async search(context: TenantContext, query: string, first = 5, options: { workflowId?: string | null } = {}): Promise<KnowledgeHit[]> {
    requireRole(context, 'VIEWER', 'knowledgeSearch');
    const tenantId = requireTenant(context, 'knowledgeSearch');
    if (query.length > MAX_QUERY_CHARS) throw new BadUserInputError(`query is longer than ${MAX_QUERY_CHARS} characters; shorten it.`, { field: 'query' });
    const queryTerms = [...new Set(terms(query))];
    if (queryTerms.length === 0) throw new BadUserInputError('query has no searchable words.', { field: 'query' });
    const limit = Math.min(Math.max(first, 1), 50);
    const all = await this.allChunks(tenantId);
    if (all.length === 0) return [];
    const byId = new Map(all.map((chunk) => [chunk.id, chunk]));
    const lexical = bm25(all, queryTerms).slice(0, CANDIDATES);
    const semantic = (await this.nearest(tenantId, query, options.workflowId)).filter((id) => byId.has(id));
    return reciprocalRankFusion([semantic, lexical])
      .slice(0, limit)
      .map(({ id, score }) => {
        const chunk = byId.get(id)!;
        return { documentId: chunk.documentId, title: chunk.title, text: chunk.text, score };
      });
  }

  /** The tenant's chunk ids nearest to the query's embedding; [] (lexical ranking alone) when the model cannot be reached. */
  private async nearest(tenantId: string, query: string, workflowId?: string | null): Promise<string[]> {
    let vector: number[];
    try {
      ({ vectors: [vector = []] } = await this.embedder.embed([query], { tenantId, step: 'knowledge-search', workflowId: workflowId ?? null }));
    } catch (error) {
      this.logger?.warn({ err: error, tenantId }, 'query could not be embedded; searching by words alone');
      return [];
    }
    return (await this.vectors.query(tenantId, vector, CANDIDATES)).map((match) => match.id);
  }

  private async allChunks(tenantId: string): Promise<ChunkDoc[]> {
    const all: ChunkDoc[] = [];
    let after: string | undefined;
    do {
      const page = await this.chunks.query(tenantId, { first: 1000, after });
      all.push(...page.items.map((i) => i.doc));
      after = page.hasNextPage && page.endCursor ? page.endCursor : undefined;
    } while (after);
    return all;
  }
}

function chunkId(documentId: string, ordinal: number): string {
  return `${documentId}:${ordinal}`;
}

/** Chunk ids with a positive BM25 score (k1 1.2, b 0.75), best first. */
function bm25(chunks: ChunkDoc[], queryTerms: string[]): string[] {
  const lengthOf = (chunk: ChunkDoc) => Object.values(chunk.terms).reduce((a, b) => a + b, 0);
  const avgLength = chunks.reduce((sum, c) => sum + lengthOf(c), 0) / Math.max(chunks.length, 1);
  const idf = new Map(
    queryTerms.map((t) => {
      const n = chunks.reduce((count, c) => count + (c.terms[t] ? 1 : 0), 0);
      return [t, Math.log(1 + (chunks.length - n + 0.5) / (n + 0.5))];
    }),
  );
  return chunks
    .map((chunk) => {
      const length = lengthOf(chunk);
      let score = 0;
      for (const term of queryTerms) {
        const tf = chunk.terms[term] ?? 0;
        score += (idf.get(term)! * tf * 2.2) / (tf + 1.2 * (0.25 + 0.75 * (length / avgLength)));
      }
      return { id: chunk.id, score };
    })
    .filter((hit) => hit.score > 0)
    .sort((a, b) => b.score - a.score)
    .map((hit) => hit.id);
}
