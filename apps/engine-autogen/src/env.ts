import { z } from 'zod';
import { baseServiceEnv } from '@switchyard/service-kit';

export const envSchema = baseServiceEnv.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(4006),
  /** Where code blocks run: `local` (V8 isolate for JavaScript, bubblewrap for Python) or `dynamic-sessions` (Azure Container Apps). */
  AUTOGEN_CODE_EXECUTOR: z.enum(['local', 'dynamic-sessions']).default('local'),
  /** The session pool's management endpoint, for AUTOGEN_CODE_EXECUTOR=dynamic-sessions. */
  AZURE_DYNAMIC_SESSIONS_POOL_ENDPOINT: z.url().optional(),
  /** Time one code block may run. */
  AUTOGEN_CODE_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  /** Memory one code block may use (MB). */
  AUTOGEN_CODE_MEMORY_MB: z.coerce.number().int().min(16).max(8192).default(256),
}).refine((env) => env.AUTOGEN_CODE_EXECUTOR !== 'dynamic-sessions' || env.AZURE_DYNAMIC_SESSIONS_POOL_ENDPOINT, {
  message: 'AUTOGEN_CODE_EXECUTOR=dynamic-sessions needs AZURE_DYNAMIC_SESSIONS_POOL_ENDPOINT',
  path: ['AZURE_DYNAMIC_SESSIONS_POOL_ENDPOINT'],
});
