import { z } from 'zod';
import { DEFAULT_AZURE_API_VERSION } from './llm-client.ts';
import type { LlmConfig } from './types.ts';

const url = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });
/** A URL that must be present; the message says why when it is not. */
const requiredUrl = (why: string) =>
  z.url({ protocol: /^https?$/, error: (issue) => (issue.input === undefined ? `is required ${why}` : 'must be an http(s) URL') });

const common = {
  LLM_MODEL: z.string().default('gpt-4o-mini'),
  LLM_EMBEDDING_MODEL: z.string().default('text-embedding-3-small'),
  LLM_TIMEOUT_MS: z.coerce.number({ error: 'must be a number of milliseconds' }).int().positive().default(60_000),
  LLM_MAX_RETRIES: z.coerce.number({ error: 'must be a whole number from 0 to 10' }).int().min(0).max(10).default(3),
  LLM_MAX_TOKENS_FIELD: z.enum(['max_tokens', 'max_completion_tokens']).optional(),
};

// One object schema per provider: a single safeParse reports every bad variable of the chosen provider at once.
const envSchema = z.discriminatedUnion(
  'LLM_PROVIDER',
  [
    z.object({ LLM_PROVIDER: z.literal('simulator'), LLM_BASE_URL: url.default('http://127.0.0.1:4010/v1'), LLM_API_KEY: z.string().optional(), ...common }),
    z.object({ LLM_PROVIDER: z.literal('openai'), OPENAI_API_KEY: z.string({ error: 'is required for LLM_PROVIDER=openai' }).min(1), OPENAI_BASE_URL: url.optional(), ...common }),
    z.object({
      LLM_PROVIDER: z.literal('openai-compatible'),
      LLM_BASE_URL: requiredUrl('for LLM_PROVIDER=openai-compatible (e.g. http://localhost:11434/v1)'),
      LLM_API_KEY: z.string().optional(),
      ...common,
    }),
    z.object({
      LLM_PROVIDER: z.literal('azure-openai'),
      AZURE_OPENAI_ENDPOINT: requiredUrl('for LLM_PROVIDER=azure-openai (https://<resource>.openai.azure.com)'),
      AZURE_OPENAI_API_VERSION: z.string().regex(/^\d{4}-\d{2}-\d{2}(-preview)?$/, 'must look like 2024-10-21').default(DEFAULT_AZURE_API_VERSION),
      AZURE_OPENAI_API_KEY: z.string().optional(),
      ...common,
    }),
  ],
  { error: 'must be one of simulator, openai, azure-openai, openai-compatible' },
);

/**
 * Read the LLM configuration from environment variables: LLM_PROVIDER (default 'simulator'), LLM_MODEL,
 * LLM_EMBEDDING_MODEL, LLM_TIMEOUT_MS, LLM_MAX_RETRIES, optional LLM_MAX_TOKENS_FIELD, and per provider
 * LLM_BASE_URL/LLM_API_KEY (simulator, openai-compatible), OPENAI_API_KEY/OPENAI_BASE_URL (openai), or
 * AZURE_OPENAI_ENDPOINT/AZURE_OPENAI_API_VERSION/AZURE_OPENAI_API_KEY (azure-openai; no key means Entra ID).
 * Empty values count as unset. Throws one error listing every invalid variable.
 */
export function llmConfigFromEnv(env: NodeJS.ProcessEnv): LlmConfig {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ''));
  const parsed = envSchema.safeParse({ LLM_PROVIDER: 'simulator', ...present });
  if (!parsed.success) {
    // An unknown provider stops the union before the shared variables are looked at; check those too.
    const sharedIssues = parsed.error.issues.some((i) => i.path[0] === 'LLM_PROVIDER') ? (z.object(common).safeParse(present).error?.issues ?? []) : [];
    const lines = [...parsed.error.issues, ...sharedIssues].map((issue) => `  ${issue.path.join('.') || '(env)'}: ${issue.message}`);
    throw new Error(`Invalid LLM configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const shared = {
    defaultModel: e.LLM_MODEL,
    embeddingModel: e.LLM_EMBEDDING_MODEL,
    timeoutMs: e.LLM_TIMEOUT_MS,
    maxRetries: e.LLM_MAX_RETRIES,
    ...(e.LLM_MAX_TOKENS_FIELD ? { maxTokensField: e.LLM_MAX_TOKENS_FIELD } : {}),
  };
  switch (e.LLM_PROVIDER) {
    case 'simulator':
      return { ...shared, provider: 'simulator', baseUrl: e.LLM_BASE_URL, ...(e.LLM_API_KEY ? { apiKey: e.LLM_API_KEY } : {}) };
    case 'openai':
      return { ...shared, provider: 'openai', apiKey: e.OPENAI_API_KEY, ...(e.OPENAI_BASE_URL ? { baseUrl: e.OPENAI_BASE_URL } : {}) };
    case 'openai-compatible':
      return { ...shared, provider: 'openai-compatible', baseUrl: e.LLM_BASE_URL, ...(e.LLM_API_KEY ? { apiKey: e.LLM_API_KEY } : {}) };
    case 'azure-openai':
      return {
        ...shared,
        provider: 'azure-openai',
        endpoint: e.AZURE_OPENAI_ENDPOINT,
        apiVersion: e.AZURE_OPENAI_API_VERSION,
        ...(e.AZURE_OPENAI_API_KEY ? { apiKey: e.AZURE_OPENAI_API_KEY } : {}),
      };
  }
}
