import express from 'express';
import { z } from 'zod';
import { ErrorCode, SwitchyardError, type TenantContext } from '@switchyard/contracts';
import { requireTenantContext, type ContextTokens, type Logger } from '@switchyard/service-kit';
import type { KnowledgeManager } from './knowledge-base/knowledge-manager.ts';

const SearchBody = z.object({
  query: z.string().min(1).max(2000),
  first: z.number().int().min(1).max(50).default(5),
  /** The workflow whose tool call searches, so the query's embedding is billed to it. */
  workflowId: z.string().min(1).max(200).nullish(),
});

const STATUS: Partial<Record<string, number>> = {
  [ErrorCode.BAD_USER_INPUT]: 400,
  [ErrorCode.UNAUTHENTICATED]: 401,
  [ErrorCode.FORBIDDEN]: 403,
  [ErrorCode.UNAVAILABLE]: 503,
};

/**
 * Routes for platform services, behind the signed tenant context: POST /internal/knowledge/search
 * `{query, first?, workflowId?}` answers `{hits: [{documentId, title, text, score}]}` from the
 * context's tenant's documents only (the tenant comes from the signed context, never the body).
 */
export function mountInternalRoutes(app: express.Express, knowledge: KnowledgeManager, tokens: ContextTokens, logger: Logger): void {
  app.post('/internal/knowledge/search', requireTenantContext(tokens), express.json({ limit: '16kb' }), async (req, res) => {
    const body = SearchBody.safeParse(req.body);
    if (!body.success) {
      const message = body.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; ');
      res.status(400).json({ code: ErrorCode.BAD_USER_INPUT, message: `Send {query, first?}: ${message}` });
      return;
    }
    try {
      const hits = await knowledge.search(res.locals.tenant as TenantContext, body.data.query, body.data.first, { workflowId: body.data.workflowId ?? null });
      res.json({ hits });
    } catch (error) {
      if (error instanceof SwitchyardError && STATUS[error.code]) {
        res.status(STATUS[error.code]!).json({ code: error.code, message: error.message });
        return;
      }
      logger.error({ err: error }, 'internal knowledge search failed');
      res.status(500).json({ code: ErrorCode.INTERNAL_SERVER_ERROR, message: 'The search failed unexpectedly; retry later.' });
    }
  });
}
