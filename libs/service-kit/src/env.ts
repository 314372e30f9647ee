import { z } from 'zod';
import { tracingEnv } from './tracing.ts';

/**
 * Parse environment variables with a zod schema and report every problem at once, so a
 * misconfigured service says everything that is wrong in one start instead of one var per restart.
 */
export function parseEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const result = schema.safeParse(env);
  const lines = result.success ? [] : result.error.issues.map((issue) => `  ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  lines.push(...deploymentIssues(schema, env).map((issue) => `  ${issue}`));
  if (lines.length > 0) throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  return result.data as z.infer<S>;
}

/** single (default): one process per service is enough, SQLite allowed. distributed: replicas, so shared state must be shared for real. */
export const deploymentMode = z.enum(['single', 'distributed']).default('single');

/**
 * Settings that are each valid alone but wrong together, for the settings the service reads: a
 * Cosmos store without its endpoint, and in SWITCHYARD_MODE=distributed anything a replica would
 * keep to itself (a SQLite file, events or rate limits without Redis), so no replica half-starts.
 */
export function deploymentIssues(schema: z.ZodType, env: NodeJS.ProcessEnv): string[] {
  const shape = schema instanceof z.ZodObject ? (schema.shape as Record<string, unknown>) : {};
  const reads = (key: string) => key in shape;
  const issues: string[] = [];
  if (reads('STORE_DRIVER') && env.STORE_DRIVER === 'cosmos' && !env.COSMOS_ENDPOINT) {
    issues.push('COSMOS_ENDPOINT: required when STORE_DRIVER=cosmos (the account URL, e.g. https://<account>.documents.azure.com:443/)');
  }
  if (reads('SWITCHYARD_MODE') && env.SWITCHYARD_MODE === 'distributed') {
    if (reads('STORE_DRIVER') && env.STORE_DRIVER !== 'cosmos') {
      issues.push(`STORE_DRIVER: must be cosmos when SWITCHYARD_MODE=distributed, not ${env.STORE_DRIVER ?? 'sqlite (the default)'}: replicas cannot share a SQLite file`);
    }
    if (reads('VECTOR_INDEX_DRIVER') && env.VECTOR_INDEX_DRIVER === 'sqlite') {
      issues.push('VECTOR_INDEX_DRIVER: must not be sqlite when SWITCHYARD_MODE=distributed: replicas cannot share a SQLite file');
    }
    if (reads('REDIS_URL') && !env.REDIS_URL) {
      issues.push('REDIS_URL: required when SWITCHYARD_MODE=distributed, so events and rate limits reach every replica');
    }
  }
  return issues;
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
  /** Comma-separated Azure regions, nearest first, for a multi-region account. */
  COSMOS_PREFERRED_REGIONS: z.string().optional(),
  SWITCHYARD_MODE: deploymentMode,
  ...tracingEnv.shape,
});
export type BaseServiceEnv = z.infer<typeof baseServiceEnv>;

/** The URL of another service, from SWITCHYARD_<NAME>_URL. */
export function serviceUrlVar(service: string): string {
  return `SWITCHYARD_${service.toUpperCase().replace(/-/g, '_')}_URL`;
}
