import { z } from 'zod';
import { defineTool, type ToolContext } from '../tool.ts';

export interface KnowledgeHit {
  documentId: string;
  title: string;
  text: string;
  score: number;
}

/** Searches the calling tenant's knowledge base (the knowledge service); never another tenant's. */
export type KnowledgeSearcher = (query: string, first: number, context: ToolContext) => Promise<KnowledgeHit[]>;

export function knowledgeSearchTool(search: KnowledgeSearcher) {
  return defineTool({
    name: 'knowledge_search',
    description:
      "Search this organisation's knowledge base (the documents it ingested) and get the most relevant passages with their source document. Use it for facts about the organisation's own policies, products and records.",
    args: z.object({
      query: z.string().min(1).max(1000).describe('What to look for, in words'),
      first: z.number().int().min(1).max(20).default(5).describe('How many passages to return'),
    }),
    execute: async ({ query, first }, context) => {
      const hits = await search(query, first, context);
      if (hits.length === 0) return 'No passage of the knowledge base matches this query.';
      return hits.map((hit, i) => ({ rank: i + 1, source: hit.title, documentId: hit.documentId, score: Math.round(hit.score * 1000) / 1000, text: hit.text }));
    },
  });
}
