import { randomUUID } from 'node:crypto';
import { CONTEXT_HEADER } from '@switchyard/contracts';
import { ServiceEndpoints, type ContextTokens, type Logger } from '@switchyard/service-kit';

/** What an embedding call was for: a document's chunks, or a search query (from a workflow, when one asked). */
export interface EmbeddingPurpose {
  tenantId: string;
  step: 'knowledge-ingest' | 'knowledge-search';
  /** The workflow whose tool call asked for the search; the knowledge base itself otherwise. */
  workflowId?: string | null;
  /** The API key behind the request, so its own budget applies too. */
  keyId?: string | null;
}

export interface EmbeddingUsage {
  model: string;
  inputTokens: number;
  latencyMs: number;
}

/** Where embedding calls are reported; billing prices and counts them like any model call. */
export type EmbeddingMeter = (purpose: EmbeddingPurpose, usage: EmbeddingUsage) => Promise<void>;

const ATTEMPTS = 3;

/**
 * Reports each embedding call to billing's usage endpoint (POST /internal/usage, the one the
 * orchestrator forwards MODEL_CALL events to), keyed by a fresh call id so it counts once. A report
 * that fails after retries is logged, never failing the ingestion or search that made the call.
 */
export function billingEmbeddingMeter(billingUrl: ServiceEndpoints | string | readonly string[], tokens: ContextTokens, logger: Logger): EmbeddingMeter {
  const billing = ServiceEndpoints.of(billingUrl);
  return async (purpose, usage) => {
    const body = {
      callId: `knowledge:${randomUUID()}`,
      // No workflow: billing counts the call for the tenant (as KNOWLEDGE in its breakdowns), not for a workflow.
      workflowId: purpose.workflowId || null,
      engine: null,
      agent: null,
      step: purpose.step,
      model: usage.model,
      inputTokens: usage.inputTokens,
      outputTokens: 0,
      cachedTokens: 0,
      latencyMs: usage.latencyMs,
      at: new Date().toISOString(),
    };
    const context = { tenantId: purpose.tenantId, role: 'DEVELOPER' as const, keyId: null, subject: 'service:knowledge' };
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      try {
        const response = await billing.fetch('/internal/usage', {
          method: 'POST',
          headers: { 'content-type': 'application/json', [CONTEXT_HEADER]: await tokens.sign(context) },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(5000),
          // Billing records each call once by its id.
          idempotent: true,
        });
        if (response.ok) return;
        if (response.status < 500) {
          logger.error({ status: response.status, body }, 'billing refused an embedding usage record');
          return;
        }
      } catch {
        // Billing unreachable: try again with backoff.
      }
      if (attempt < ATTEMPTS) await new Promise((resolve) => setTimeout(resolve, 250 * 2 ** attempt));
    }
    logger.error({ body }, 'embedding usage could not be reported to billing');
  };
}
