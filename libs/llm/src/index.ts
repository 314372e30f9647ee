export type * from './types.ts';
export { createLlmClient, DEFAULT_AZURE_API_VERSION } from './llm-client.ts';
export { llmConfigFromEnv } from './llm-config.ts';
export { LlmError, chargedUsage, parseRetryAfterMs } from './llm-error.ts';
export { backoffDelayMs, type RetryPolicy } from './retry-policy.ts';
