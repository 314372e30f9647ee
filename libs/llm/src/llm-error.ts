import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError, OpenAIError } from 'openai';
import type { LlmErrorKind, LlmProvider, TokenUsage } from './types.ts';

const RETRYABLE: ReadonlySet<LlmErrorKind> = new Set(['rate_limited', 'server', 'timeout', 'connection', 'truncated', 'invalid_response']);

/**
 * The one error type callers of LlmClient see. Branch on `kind`; `status` is the HTTP status when there was one.
 * An aborted call has `name === 'AbortError'` as well, so generic abort handling recognises it.
 */
export class LlmError extends Error {
  readonly kind: LlmErrorKind;
  readonly status: number | undefined;
  readonly provider: LlmProvider | undefined;
  /** HTTP attempts made before giving up. */
  readonly attempts: number;
  /** The wait the provider asked for (Retry-After), when it asked. */
  readonly retryAfterMs: number | undefined;
  /**
   * Tokens the provider charged for attempts of this call that could not be used (a reply with
   * malformed tool-call JSON still costs its tokens); undefined when none was charged.
   */
  readonly usage: TokenUsage | undefined;

  constructor(
    kind: LlmErrorKind,
    message: string,
    details: { status?: number; provider?: LlmProvider; attempts?: number; retryAfterMs?: number; usage?: TokenUsage; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = kind === 'aborted' ? 'AbortError' : 'LlmError';
    this.kind = kind;
    this.status = details.status;
    this.provider = details.provider;
    this.attempts = details.attempts ?? 1;
    this.retryAfterMs = details.retryAfterMs;
    this.usage = details.usage;
  }

  /** 429, 5xx, timeouts, connection failures, truncated and unusable replies are worth another attempt; the rest are not. */
  get retryable(): boolean {
    return RETRYABLE.has(this.kind);
  }

  /** A copy with the attempt count filled in, thrown once retrying is over. */
  withAttempts(attempts: number): LlmError {
    return new LlmError(this.kind, this.message, { status: this.status, provider: this.provider, attempts, retryAfterMs: this.retryAfterMs, ...(this.usage ? { usage: this.usage } : {}), cause: this.cause });
  }

  /** A copy carrying the tokens charged for the call's unusable attempts. */
  withUsage(usage: TokenUsage): LlmError {
    return new LlmError(this.kind, this.message, { status: this.status, provider: this.provider, attempts: this.attempts, retryAfterMs: this.retryAfterMs, usage, cause: this.cause });
  }
}

/** The tokens a failed call was charged for (its unusable attempts), if any: billing meters them too. */
export function chargedUsage(error: unknown): TokenUsage | undefined {
  return error instanceof LlmError && error.usage && error.usage.inputTokens + error.usage.outputTokens > 0 ? error.usage : undefined;
}

/** How an attempt ended, beyond what the error itself says. */
export interface FailureContext {
  provider: LlmProvider;
  /** The caller's signal fired. */
  aborted: boolean;
  /** Our per-attempt timer fired. */
  timedOut: boolean;
  timeoutMs: number;
}

/**
 * Map whatever the openai SDK (or fetch under it) threw to an LlmError. Undefined for anything else — those are
 * programming errors (a throwing onToken callback, say) and should reach the caller unchanged.
 */
export function toLlmError(error: unknown, ctx: FailureContext): LlmError | undefined {
  if (error instanceof LlmError) return error;
  const provider = ctx.provider;
  if (ctx.aborted) return new LlmError('aborted', 'The LLM call was aborted by the caller.', { provider, cause: error });
  if (ctx.timedOut || error instanceof APIConnectionTimeoutError) {
    return new LlmError('timeout', `The LLM call timed out after ${ctx.timeoutMs} ms.`, { provider, cause: error });
  }
  if (error instanceof APIUserAbortError) return new LlmError('aborted', 'The LLM call was aborted.', { provider, cause: error });
  if (error instanceof APIConnectionError) return new LlmError('connection', `Could not reach the ${provider} endpoint: ${error.message}`, { provider, cause: error });
  if (error instanceof APIError) {
    const status = typeof error.status === 'number' ? error.status : undefined;
    const retryAfterMs = parseRetryAfterMs(error.headers);
    const kind: LlmErrorKind =
      status === undefined ? 'server'
      : status === 429 ? 'rate_limited'
      : status === 408 ? 'timeout'
      : status === 401 || status === 403 ? 'auth'
      : status >= 500 ? 'server'
      : 'bad_request';
    return new LlmError(kind, `${provider} answered ${status ?? 'with an error'}: ${error.message}`, { status, provider, retryAfterMs, cause: error });
  }
  if (error instanceof OpenAIError) {
    // Raised before any request: missing credentials or a failing token provider (e.g. DefaultAzureCredential).
    const auth = /credential|token|api.?key/i.test(error.message);
    return new LlmError(auth ? 'auth' : 'bad_request', error.message, { provider, cause: error });
  }
  if (error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError')) {
    return new LlmError('aborted', error.message, { provider, cause: error });
  }
  return undefined;
}

/**
 * The wait a response asks for: `retry-after-ms` (OpenAI and Azure send it), else `Retry-After` as seconds or an
 * HTTP date. Undefined when absent or unreadable.
 */
export function parseRetryAfterMs(headers: Headers | undefined, now: number = Date.now()): number | undefined {
  const ms = headers?.get('retry-after-ms');
  if (ms && Number.isFinite(Number(ms)) && Number(ms) >= 0) return Number(ms);
  const value = headers?.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
