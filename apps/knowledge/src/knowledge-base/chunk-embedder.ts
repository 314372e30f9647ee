import { UnavailableError } from '@switchyard/contracts';
import { LlmError, type LlmClient } from '@switchyard/llm';
import { runContext } from '@switchyard/engine-kit';
import type { EmbeddingMeter, EmbeddingPurpose } from './embedding-meter.ts';

/** Texts per embeddings request: well under providers' per-request limits (OpenAI: 2048 inputs, 300k tokens). */
export const EMBEDDING_BATCH_SIZE = 64;

/**
 * Embeds texts through the platform's model client (OpenAI, Azure OpenAI, compatible servers or the
 * simulator), in batches, reporting each call's tokens to the meter. A model failure becomes
 * UNAVAILABLE with the provider's reason; a call the tenant's hard budget cannot cover is refused
 * with BUDGET_EXCEEDED before it is made (when the client is budgeted, as in the service).
 */
export class ChunkEmbedder {
  constructor(
    private readonly llm: Pick<LlmClient, 'embed'>,
    private readonly meter?: EmbeddingMeter,
    private readonly batchSize = EMBEDDING_BATCH_SIZE,
  ) {}

  async embed(texts: string[], purpose: EmbeddingPurpose): Promise<{ vectors: number[][]; model: string }> {
    const vectors: number[][] = [];
    let model = '';
    for (let i = 0; i < texts.length; i += this.batchSize) {
      const batch = texts.slice(i, i + this.batchSize);
      const started = performance.now();
      let result: Awaited<ReturnType<LlmClient['embed']>>;
      try {
        // Within the tenant's run context, so a budgeted client reserves the call against the tenant's (and the key's) hard budget first.
        const tenant = { tenantId: purpose.tenantId, role: 'DEVELOPER' as const, keyId: purpose.keyId ?? null, subject: 'service:knowledge' };
        result = await runContext.run({ tenant, workflowId: purpose.workflowId ?? purpose.step }, () => this.llm.embed(batch));
      } catch (error) {
        if (error instanceof LlmError) {
          throw new UnavailableError(`The embedding model could not embed the text (${error.kind}: ${error.message}); retry later.`);
        }
        throw error;
      }
      if (result.vectors.length !== batch.length) {
        throw new UnavailableError(`The embedding model returned ${result.vectors.length} vectors for ${batch.length} texts; retry later.`);
      }
      model = result.model;
      vectors.push(...result.vectors);
      await this.meter?.(purpose, { model: result.model, inputTokens: result.inputTokens, latencyMs: Math.round(performance.now() - started) });
    }
    return { vectors, model };
  }
}
