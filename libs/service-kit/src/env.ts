import { z } from 'zod';

/**
 * Parse environment variables with a zod schema and report every problem at once, so a
 * misconfigured service says everything that is wrong in one start instead of one var per restart.
 */
export function parseEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const result = schema.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  ${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return result.data;
}

/** Variables every service reads. Each service's env.ts extends this. */
export const baseServiceEnv = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SWITCHYARD_CONTEXT_SECRET: z.string().min(32, 'must be at least 32 characters (shared by the gateway and every subgraph)'),
  SWITCHYARD_DATA_DIR: z.string().default('.switchyard/data'),
  STORE_DRIVER: z.enum(['sqlite', 'cosmos']).default('sqlite'),
  COSMOS_ENDPOINT: z.string().url().optional(),
  COSMOS_KEY: z.string().optional(),
  COSMOS_DATABASE: z.string().default('switchyard'),
});
export type BaseServiceEnv = z.infer<typeof baseServiceEnv>;

/** The URL of another service, from SWITCHYARD_<NAME>_URL. */
export function serviceUrlVar(service: string): string {
  return `SWITCHYARD_${service.toUpperCase().replace(/-/g, '_')}_URL`;
}
