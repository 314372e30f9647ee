import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { CONTEXT_HEADER, ErrorCode, SwitchyardError, UnavailableError, type TenantContext } from '@switchyard/contracts';
import { createLlmClient, llmConfigFromEnv, type ChatRequest, type ChatResult, type CallOptions, type LlmClient } from '@switchyard/llm';
import { ServiceEndpoints, type ContextTokens } from '@switchyard/service-kit';
import { estimateUsage, usageMissing, type TokenEncodingName } from './token-estimate.ts';

/** The run a model call belongs to, set by the engine routes around every run. */
export const runContext = new AsyncLocalStorage<{ tenant: TenantContext; workflowId: string }>();

const DEFAULT_MAX_OUTPUT_TOKENS = 4096;

function estimateInputTokens(request: ChatRequest): number {
  // Over-estimates on purpose (about 3 characters per token), so a reservation covers the call.
  const text = JSON.stringify(request.messages) + JSON.stringify(request.tools ?? []);
  return Math.ceil(text.length / 3) + 16;
}

/**
 * Wraps an LlmClient so that a call whose provider reported no usage gets its tokens counted with the
 * model family's tokenizer (see estimateUsage); `onEstimate` hears of each such call, by the id its
 * MODEL_CALL event will carry (a response without an id gets one, so the two can be matched).
 */
export function withEstimatedUsage(llm: LlmClient, onEstimate?: (callId: string, result: ChatResult, encoding: TokenEncodingName) => Promise<void>): LlmClient {
  const complete = async (request: ChatRequest, result: ChatResult): Promise<ChatResult> => {
    if (!usageMissing(result.usage)) return result;
    const { encoding, ...usage } = await estimateUsage(request, result);
    const completed: ChatResult = { ...result, responseId: result.responseId || `estimated-${randomUUID()}`, usage };
    await onEstimate?.(completed.responseId, completed, encoding);
    return completed;
  };
  return {
    provider: llm.provider,
    defaultModel: llm.defaultModel,
    ...(llm.embeddingModel ? { embeddingModel: llm.embeddingModel } : {}),
    chat: async (request: ChatRequest, options?: CallOptions) => complete(request, await llm.chat(request, options)),
    chatStream: async (request: ChatRequest, options?: CallOptions) => complete(request, await llm.chatStream(request, options)),
    embed: (texts, options) => llm.embed(texts, options),
  };
}

/**
 * Wraps an LlmClient so that every model call of a run (chat, and embeddings) first reserves its
 * largest possible cost in billing (refused with BUDGET_EXCEEDED when it would pass the tenant's or
 * the API key's hard limit) and settles it to the real cost afterwards. Outside a run (no tenant in
 * `runContext`) calls pass through.
 */
export function budgetedLlm(unmetered: LlmClient, billingUrl: ServiceEndpoints | string | readonly string[], tokens: ContextTokens): LlmClient {
  const billing = ServiceEndpoints.of(billingUrl);
  const post = async (path: string, tenant: TenantContext, body: Record<string, unknown>) => {
    let lastError: unknown;
    // Reservations, settlements and estimate marks are keyed by their id in billing, so sending one
    // again (to another replica, after a replica died mid-request) changes nothing: idempotent.
    for (let attempt = 0; attempt < 6; attempt++) {
      try {
        return await billing.fetch(path, {
          method: 'POST',
          headers: { 'content-type': 'application/json', [CONTEXT_HEADER]: await tokens.sign({ ...tenant, subject: 'service:engine' }) },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(5000),
          idempotent: true,
        });
      } catch (error) {
        lastError = error;
        await new Promise((resolve) => setTimeout(resolve, 200 * 2 ** attempt));
      }
    }
    throw new UnavailableError(`Billing could not be reached to reserve the model call's budget (${(lastError as Error)?.message}); retry later.`);
  };
  // Billing marks the call's usage record as estimated; the mark is stored before the engine reports
  // the call, and billing matches the two in either order. Losing the mark loses only the flag.
  const llm = withEstimatedUsage(unmetered, async (callId, result, encoding) => {
    const run = runContext.getStore();
    if (!run) return;
    await post('/internal/usage/estimate', run.tenant, { callId, workflowId: run.workflowId, model: result.model, encoding }).catch(() => undefined);
  });

  /**
   * Reserve the call's largest cost, run it, settle to its real usage. `usageOf` reads the usage of
   * a result (chat and embeddings report it differently).
   */
  const reserved = async <R>(
    model: string,
    maxInputTokens: number,
    maxOutputTokens: number,
    call: () => Promise<R>,
    usageOf: (result: R) => { model: string; inputTokens: number; outputTokens: number; cachedTokens: number },
  ): Promise<R> => {
    const run = runContext.getStore();
    if (!run) return call();
    const reservationId = randomUUID();
    const reservation = await post('/internal/budget/reserve', run.tenant, { reservationId, model, maxInputTokens, maxOutputTokens });
    if (reservation.status === 402) {
      const refusal = (await reservation.json()) as { message: string };
      throw new SwitchyardError(ErrorCode.BUDGET_EXCEEDED, refusal.message);
    }
    if (!reservation.ok) throw new UnavailableError(`Billing refused to reserve the model call (HTTP ${reservation.status}).`);
    const { unlimited } = (await reservation.json()) as { unlimited?: boolean };
    if (unlimited) return call();
    let usage: ReturnType<typeof usageOf> | null = null;
    try {
      const result = await call();
      usage = usageOf(result);
      return result;
    } finally {
      // A failed call settles at zero, which frees its reservation at once.
      await post('/internal/budget/settle', run.tenant, { reservationId, ...(usage ?? { model, inputTokens: 0, outputTokens: 0, cachedTokens: 0 }) }).catch(() => undefined);
    }
  };
  const guarded = (request: ChatRequest, call: () => Promise<ChatResult>): Promise<ChatResult> =>
    reserved(request.model ?? llm.defaultModel, estimateInputTokens(request), request.maxTokens ?? DEFAULT_MAX_OUTPUT_TOKENS, call, (result) => ({ model: result.model, ...result.usage }));

  return {
    provider: llm.provider,
    defaultModel: llm.defaultModel,
    ...(llm.embeddingModel ? { embeddingModel: llm.embeddingModel } : {}),
    chat: (request: ChatRequest, options?: CallOptions) => guarded(request, () => llm.chat(request, options)),
    chatStream: (request: ChatRequest, options?: CallOptions) => guarded(request, () => llm.chatStream(request, options)),
    embed: (texts, options) =>
      reserved(
        options?.model ?? llm.embeddingModel ?? 'text-embedding-3-small',
        texts.reduce((sum, text) => sum + Math.ceil(text.length / 3) + 16, 0),
        0,
        () => llm.embed(texts, options),
        (result) => ({ model: result.model, inputTokens: result.inputTokens, outputTokens: 0, cachedTokens: 0 }),
      ),
  };
}

/**
 * An engine's model client from the environment (LLM_* variables), with every call of a run held to
 * the tenant's budget when the billing service is known (SWITCHYARD_BILLING_URL).
 */
export function engineLlmFromEnv(env: NodeJS.ProcessEnv, tokens: ContextTokens): LlmClient {
  const llm = createLlmClient(llmConfigFromEnv(env));
  return env.SWITCHYARD_BILLING_URL ? budgetedLlm(llm, env.SWITCHYARD_BILLING_URL, tokens) : withEstimatedUsage(llm);
}
