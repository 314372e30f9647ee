import { z } from 'zod';
import { baseServiceEnv } from '@switchyard/service-kit';

export const envSchema = baseServiceEnv.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(4007),
  /** How long a reservation holds budget when the call never settles (a crash). */
  BUDGET_RESERVATION_TTL_MS: z.coerce.number().int().min(1000).default(10 * 60_000),
  /** Azure OpenAI deployment names and the base models they run, as JSON: {"my-gpt4o": "gpt-4o"}. */
  AZURE_DEPLOYMENT_MODELS: z
    .string()
    .default('{}')
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as Record<string, string>;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be a JSON object' });
        return z.NEVER;
      }
    }),
});
