import { z } from 'zod';
import { baseServiceEnv, serviceUrlsSetting } from '@switchyard/service-kit';

const jsonObject = <T extends z.ZodType>(schema: T, example: string) =>
  z.string().transform((text, ctx) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      ctx.addIssue({ code: 'custom', message: `must be a JSON object, e.g. ${example}` });
      return z.NEVER;
    }
    const result = schema.safeParse(parsed);
    if (!result.success) {
      ctx.addIssue({ code: 'custom', message: `must be a JSON object like ${example}: ${result.error.issues.map((i) => i.message).join('; ')}` });
      return z.NEVER;
    }
    return result.data as z.infer<T>;
  });

export const envSchema = baseServiceEnv.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(4007),
  SWITCHYARD_TENANTS_URL: serviceUrlsSetting('http://127.0.0.1:4001/graphql'),
  /** Where alert rules on ERROR_RATE read workflow outcomes. */
  SWITCHYARD_WORKFLOWS_URL: serviceUrlsSetting('http://127.0.0.1:4003/graphql'),
  /** How often every tenant's alert rules are evaluated (decision 022). */
  ALERT_EVALUATION_MS: z.coerce.number().int().min(100).default(60_000),
  /** How long a tenant's allowed and default models are kept before they are read again (a change binds new calls within it). */
  MODEL_SETTINGS_CACHE_MS: z.coerce.number().int().min(0).default(5000),
  /** How long a reservation holds budget when the call never settles (a crash). */
  BUDGET_RESERVATION_TTL_MS: z.coerce.number().int().min(1000).default(10 * 60_000),
  /** Azure OpenAI deployment names and the base models they run, as JSON: {"my-gpt4o": "gpt-4o"}. */
  AZURE_DEPLOYMENT_MODELS: jsonObject(z.record(z.string(), z.string()), '{"my-gpt4o": "gpt-4o"}').default({}),
  /** The platform's price is cost times the tenant's plan's markup. */
  BILLING_PLAN_MARKUPS: jsonObject(z.record(z.string(), z.number().min(0).max(100)), '{"free": 1, "team": 1.25, "enterprise": 1.15}').default({ free: 1, team: 1.25, enterprise: 1.15 }),
  /** Hosts (names or addresses) a budget webhook may use although they are private or loopback, comma-separated. */
  BUDGET_WEBHOOK_ALLOWED_HOSTS: z
    .string()
    .default('')
    .transform((text) => text.split(',').map((host) => host.trim()).filter(Boolean)),
  BUDGET_WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(8),
  /** Delay before the second attempt, doubled for each further one (at most an hour). */
  BUDGET_WEBHOOK_BACKOFF_MS: z.coerce.number().int().min(10).default(2000),
  BUDGET_WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
});
