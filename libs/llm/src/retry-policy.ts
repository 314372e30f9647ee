import { LlmError, toLlmError } from './llm-error.ts';
import type { LlmProvider } from './types.ts';

/** Back-off settings; see LlmCommonConfig for what each means and its default. */
export interface RetryPolicy {
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  maxRetryAfterMs: number;
}

/**
 * Delay before retry number `retry` (0-based). A server-given Retry-After is honoured exactly; otherwise
 * exponential back-off with "equal jitter": half the capped exponential delay plus a random part of the other half,
 * so concurrent callers spread out but nobody retries immediately.
 */
export function backoffDelayMs(retry: number, policy: RetryPolicy, retryAfterMs?: number, random: () => number = Math.random): number {
  if (retryAfterMs !== undefined) return retryAfterMs;
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  return ceiling / 2 + random() * (ceiling / 2);
}

/** What one attempt gets: the signal to pass to the SDK, and `touch()` to restart the idle timer (streams call it per chunk). */
export interface Attempt {
  signal: AbortSignal;
  touch(): void;
  number: number;
}

export interface RetryOptions {
  policy: RetryPolicy;
  provider: LlmProvider;
  timeoutMs: number;
  signal?: AbortSignal;
  /** False once retrying would repeat side effects, e.g. after a stream already emitted tokens. */
  canRetry?: () => boolean;
}

/**
 * Run `attempt` until it succeeds, a non-retryable error occurs, or retries run out. Each attempt has its own
 * timeout; the caller's signal rejects at once with an 'aborted' LlmError, mid-request or mid-back-off.
 *
 * Why not the SDK's built-in retries (it also honours Retry-After): its back-off sleep ignores the abort signal,
 * and it cannot tell a stream that already emitted tokens from one that did not. The SDK is therefore built with
 * `maxRetries: 0` and this loop is the only retry layer.
 */
export async function withRetries<T>(attempt: (a: Attempt) => Promise<T>, options: RetryOptions): Promise<T> {
  const { policy, provider, timeoutMs, signal } = options;
  const aborted = () => new LlmError('aborted', 'The LLM call was aborted by the caller.', { provider, cause: signal?.reason });
  for (let number = 1; ; number++) {
    if (signal?.aborted) throw aborted().withAttempts(number - 1);
    const timer = new AbortController();
    let handle: NodeJS.Timeout | undefined;
    const touch = () => {
      clearTimeout(handle);
      handle = setTimeout(() => timer.abort(new Error('timeout')), timeoutMs);
    };
    touch();
    const attemptSignal = signal ? AbortSignal.any([signal, timer.signal]) : timer.signal;
    let error: LlmError;
    try {
      // The race makes an abort reject promptly even if the SDK notices it late.
      return await Promise.race([attempt({ signal: attemptSignal, touch, number }), rejectOnAbort(attemptSignal)]);
    } catch (thrown) {
      const mapped = toLlmError(thrown, { provider, aborted: signal?.aborted === true, timedOut: timer.signal.aborted, timeoutMs });
      if (!mapped) throw thrown;
      error = mapped.withAttempts(number);
    } finally {
      clearTimeout(handle);
    }
    const retry = number - 1;
    const tooLong = error.retryAfterMs !== undefined && error.retryAfterMs > policy.maxRetryAfterMs;
    if (!error.retryable || retry >= policy.maxRetries || tooLong || options.canRetry?.() === false) {
      // Say that it was retried, so a failed workflow's error tells the retries were spent.
      throw number > 1 ? new LlmError(error.kind, `${error.message} (gave up after ${number} attempts)`, { status: error.status, provider: error.provider, attempts: number, retryAfterMs: error.retryAfterMs, cause: error.cause }) : error;
    }
    await sleep(backoffDelayMs(retry, policy, error.retryAfterMs), signal).catch(() => {
      throw aborted().withAttempts(number);
    });
  }
}

function rejectOnAbort(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    const fire = () => reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    if (signal.aborted) fire();
    else signal.addEventListener('abort', fire, { once: true });
  });
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const done = () => {
      signal?.removeEventListener('abort', cancel);
      resolve();
    };
    const handle = setTimeout(done, ms);
    const cancel = () => {
      clearTimeout(handle);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', cancel, { once: true });
  });
}
