/**
 * Run a client request again while the platform's processes die and come back: transport failures,
 * 5xx and the refusals that mean "a dependency is briefly down" (UNAVAILABLE, RATE_LIMITED, and a
 * CONFLICT that says retry) are retried; any other GraphQL refusal with a stable code is an answer
 * and is thrown at once. `delayMs` gives the pause before the next attempt.
 */
export async function retryWhileRestarting<T>(
  what: string,
  call: () => Promise<T>,
  options: { attempts: number; delayMs: (attempt: number) => number },
): Promise<T> {
  let lastError: unknown;
  for (let attempt = 0; attempt < options.attempts; attempt++) {
    try {
      return await call();
    } catch (error) {
      lastError = error;
      const status = (error as { status?: number }).status;
      const code = (error as { code?: string }).code;
      if (status !== undefined && status < 500 && code && !['UNAVAILABLE', 'RATE_LIMITED', 'CONFLICT'].includes(code)) throw error;
      await new Promise((resolve) => setTimeout(resolve, options.delayMs(attempt)));
    }
  }
  throw new Error(`${what} kept failing: ${String(lastError)}`);
}
