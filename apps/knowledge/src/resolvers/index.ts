import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { DateTimeScalar, type RequestContext } from '@switchyard/service-kit';
import type { KnowledgeManager } from '../knowledge-base/knowledge-manager.ts';

export function buildResolvers(knowledge: KnowledgeManager): GraphQLResolverMap<RequestContext> {
  return {
    DateTime: DateTimeScalar,
    Query: {
      knowledgeSearch: (_root, args: { query: string; first?: number | null }, { tenant }) => knowledge.search(tenant, args.query, args.first ?? 5),
      knowledgeDocuments: (_root, _args, { tenant }) => knowledge.list(tenant),
    },
    Mutation: {
      ingestDocument: (_root, { input }: { input: { title: string; content: string; mimeType?: string | null } }, { tenant }) => knowledge.ingest(tenant, input),
      deleteDocument: (_root, { id }: { id: string }, { tenant }) => knowledge.delete(tenant, id),
    },
  };
}
