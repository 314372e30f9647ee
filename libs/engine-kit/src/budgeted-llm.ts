import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { CONTEXT_HEADER, ErrorCode, SwitchyardError, UnavailableError, type TenantContext } from '@switchyard/contracts';
import { chargedUsage, createLlmClient, llmConfigFromEnv, type ChatRequest, type ChatResult, type CallOptions, type LlmClient } from '@switchyard/llm';
import { ServiceEndpoints, type ContextTokens } from '@switchyard/service-kit';
import { estimateUsage, usageMissing, type TokenEncodingName } from './token-estimate.ts';
import { tracedLlm } from './traced-llm.ts';

/** The run a model call belongs to, set by the engine routes around every run. */
export const runContext = new AsyncLocalStorage<{
  tenant: TenantContext;
  workflowId: string;
  startedAt?: number;
  framework?: string;
  /** The tenant opted in to keep prompts, completions and tool arguments in traces and logs (decision 021). */
  keepPrompts?: boolean;
}>();

const DEFAULT_MAX_OUTPUT_TOKENS = 4096;

/**
 * The fewest output tokens a chat call is let run with when the last of a budget cannot buy its
 * max_tokens: below this a reply is cut too short to be of use, and the call is refused instead.
 */
export const MIN_USEFUL_OUTPUT_TOKENS = 64;

/**
 * How long a call waits for calls in flight to free the budget they hold before it is refused; the
 * wait starts again whenever the settled spend moves (the calls ahead of it are finishing).
 */
const DEFAULT_BUDGET_WAIT_MS = 30_000;

/**
 * The most input tokens a request can be, without running a tokenizer on the hot path: a byte-level
 * BPE token is at least one byte, so the request's UTF-8 size (its JSON, which only adds quotes and
 * escapes) bounds the tokens of its text, plus the chat framing of every message and tool.
 */
export function inputTokensCeiling(request: ChatRequest): number {
  const bytes = Buffer.byteLength(JSON.stringify(request.messages)) + (request.tools ? Buffer.byteLength(JSON.stringify(request.tools)) : 0);
  return bytes + 4 * request.messages.length + 8 * (request.tools?.length ?? 0) + 3;
}

/**
 * The request's input tokens counted with its model family's tokenizer, with a margin for the
 * provider's own rendering of messages and tools (not public in every detail).
 */
async function exactInputTokens(request: ChatRequest, model: string): Promise<number> {
  const { inputTokens } = await estimateUsage(request, { model, content: '', toolCalls: [] });
  return Math.ceil(inputTokens * 1.1) + 16;
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
 * largest possible cost in billing and settles it to the real cost afterwards. Near the end of a
 * hard budget, billing grants a chat call fewer output tokens (its max_tokens is lowered to them),
 * tells it to wait while other calls in flight hold the room (up to `waitMs`), and refuses it with
 * BUDGET_EXCEEDED only when the settled spend leaves no room for its input and
 * MIN_USEFUL_OUTPUT_TOKENS. Outside a run (no tenant in `runContext`) calls pass through.
 */
export function budgetedLlm(unmetered: LlmClient, billingUrl: ServiceEndpoints | string | readonly string[], tokens: ContextTokens, waitMs = DEFAULT_BUDGET_WAIT_MS): LlmClient {
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
    inputTokensBound: number,
    exactInputTokens: (() => Promise<number>) | null,
    maxOutputTokens: number,
    minOutputTokens: number,
    /** named: the call names its model; default: the engine's default; exempt: not a tenant's chat model (embeddings). */
    modelPolicy: 'named' | 'default' | 'exempt',
    call: (grantedOutputTokens: number, model: string) => Promise<R>,
    usageOf: (result: R) => { model: string; inputTokens: number; outputTokens: number; cachedTokens: number },
  ): Promise<R> => {
    const run = runContext.getStore();
    if (!run) return call(maxOutputTokens, model);
    const reservationId = randomUUID();
    let deadline = Date.now() + waitMs;
    let lastSettledUsd: number | undefined;
    let granted: { unlimited?: boolean; maxOutputTokens?: number; model?: string };
    let maxInputTokens = inputTokensBound;
    let exact = exactInputTokens;
    for (let wait = 100; ; wait = Math.min(1000, wait * 1.5)) {
      const reservation = await post('/internal/budget/reserve', run.tenant, {
        reservationId,
        model,
        maxInputTokens,
        maxOutputTokens,
        minOutputTokens,
        workflowId: run.workflowId,
        modelPolicy,
        ...(run.startedAt !== undefined && Number.isFinite(run.startedAt) ? { workflowStartedAt: run.startedAt } : {}),
      });
      if ((reservation.status === 402 || reservation.status === 409) && exact) {
        // The budget is tight: count the input with the tokenizer (paid only here, not on every
        // call) and ask again with that smaller, still sufficient, reservation.
        maxInputTokens = Math.min(maxInputTokens, await exact());
        exact = null;
        continue;
      }
      if (reservation.status === 402) {
        const refusal = (await reservation.json()) as { message: string };
        throw new SwitchyardError(ErrorCode.BUDGET_EXCEEDED, refusal.message);
      }
      if (reservation.status === 403) {
        // The tenant does not allow the model the call names.
        const refusal = (await reservation.json()) as { message: string };
        throw new SwitchyardError(ErrorCode.FORBIDDEN, refusal.message);
      }
      if (reservation.status === 409) {
        // The room is held by other calls in flight, which settle in a moment to their real cost.
        const busy = (await reservation.json()) as { message: string; retryAfterMs?: number; settledUsd?: number };
        // Calls ahead of this one are finishing (the settled spend moves): it is in line, not stuck.
        if (busy.settledUsd !== undefined && busy.settledUsd !== lastSettledUsd) {
          if (lastSettledUsd !== undefined) deadline = Date.now() + waitMs;
          lastSettledUsd = busy.settledUsd;
        }
        if (Date.now() + wait > deadline) throw new SwitchyardError(ErrorCode.BUDGET_EXCEEDED, `${busy.message.replace(/; ask again\.$/, '')} with nothing settled for more than ${Math.round(waitMs / 1000)} s; raise the budget or run fewer workflows at once.`);
        await new Promise((resolve) => setTimeout(resolve, Math.max(busy.retryAfterMs ?? 0, wait) * (0.5 + Math.random())));
        continue;
      }
      if (!reservation.ok) throw new UnavailableError(`Billing refused to reserve the model call (HTTP ${reservation.status}).`);
      granted = (await reservation.json()) as typeof granted;
      break;
    }
    // The model the tenant's settings bind the call to (its default, or the allowed one it named).
    const boundModel = granted.model ?? model;
    if (granted.unlimited) return call(maxOutputTokens, boundModel);
    let usage: ReturnType<typeof usageOf> | null = null;
    try {
      const result = await call(Math.min(maxOutputTokens, granted.maxOutputTokens ?? maxOutputTokens), boundModel);
      usage = usageOf(result);
      return result;
    } catch (error) {
      // A failed call settles at what the provider charged for it (usually nothing).
      const charged = chargedUsage(error);
      if (charged) usage = { model: boundModel, ...charged };
      throw error;
    } finally {
      // A failed call settles at zero (or its charged tokens), which frees its reservation at once.
      await post('/internal/budget/settle', run.tenant, { reservationId, ...(usage ?? { model: boundModel, inputTokens: 0, outputTokens: 0, cachedTokens: 0 }) }).catch(() => undefined);
    }
  };
  // A call granted fewer output tokens than it asked for runs with max_tokens lowered to the grant,
  // so the provider cannot produce (and charge) more than was reserved.
  const guarded = (request: ChatRequest, call: (request: ChatRequest) => Promise<ChatResult>): Promise<ChatResult> => {
    const maxOutputTokens = request.maxTokens ?? DEFAULT_MAX_OUTPUT_TOKENS;
    const model = request.model ?? llm.defaultModel;
    return reserved(
      model,
      inputTokensCeiling(request),
      () => exactInputTokens(request, model),
      maxOutputTokens,
      Math.min(maxOutputTokens, MIN_USEFUL_OUTPUT_TOKENS),
      request.model !== undefined ? 'named' : 'default',
      (grantedOutputTokens, bound) => call({ ...request, model: bound, ...(grantedOutputTokens < maxOutputTokens ? { maxTokens: grantedOutputTokens } : {}) }),
      (result) => ({ model: result.model, ...result.usage }),
    );
  };

  return {
    provider: llm.provider,
    defaultModel: llm.defaultModel,
    ...(llm.embeddingModel ? { embeddingModel: llm.embeddingModel } : {}),
    chat: (request: ChatRequest, options?: CallOptions) => guarded(request, (sized) => llm.chat(sized, options)),
    chatStream: (request: ChatRequest, options?: CallOptions) => guarded(request, (sized) => llm.chatStream(sized, options)),
    embed: (texts, options) =>
      reserved(
        options?.model ?? llm.embeddingModel ?? 'text-embedding-3-small',
        texts.reduce((sum, text) => sum + Buffer.byteLength(text) + 2, 0),
        null,
        0,
        0,
        // Embedding models are the platform's (the knowledge base's), not bound by the tenant's chat models.
        'exempt',
        () => llm.embed(texts, options),
        (result) => ({ model: result.model, inputTokens: result.inputTokens, outputTokens: 0, cachedTokens: 0 }),
      ),
  };
}

/**
 * An engine's model client from the environment (LLM_* variables), with every call of a run held to
 * the tenant's budget when the billing service is known (SWITCHYARD_BILLING_URL); BUDGET_WAIT_MS
 * bounds how long a call waits for budget held by calls in flight (default 30 s). Every call is a
 * GenAI span while tracing is on.
 */
export function engineLlmFromEnv(env: NodeJS.ProcessEnv, tokens: ContextTokens): LlmClient {
  const llm = createLlmClient(llmConfigFromEnv(env));
  const waitMs = env.BUDGET_WAIT_MS ? Number.parseInt(env.BUDGET_WAIT_MS, 10) : DEFAULT_BUDGET_WAIT_MS;
  return tracedLlm(env.SWITCHYARD_BILLING_URL ? budgetedLlm(llm, env.SWITCHYARD_BILLING_URL, tokens, Number.isFinite(waitMs) && waitMs >= 0 ? waitMs : DEFAULT_BUDGET_WAIT_MS) : withEstimatedUsage(llm));
}
