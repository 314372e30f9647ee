import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { deploymentMode, parseEnv, serviceUrlVar, serviceUrlsSetting, tracingEnv } from '@switchyard/service-kit';
import { SUBGRAPHS } from './subgraphs.ts';

/** SWITCHYARD_<SUBGRAPH>_URL: one URL, or the comma-separated URLs of the subgraph's replicas. */
const subgraphUrlVars = Object.fromEntries(SUBGRAPHS.map(({ name, port }) => [serviceUrlVar(name), serviceUrlsSetting(`http://127.0.0.1:${port}/graphql`)]));

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SWITCHYARD_MODE: deploymentMode,
  ...tracingEnv.shape,
  SWITCHYARD_CONTEXT_SECRET: z.string().min(32, 'must be at least 32 characters (shared by the gateway and every subgraph)'),
  SUPERGRAPH_PATH: z.string().default(fileURLToPath(new URL('../../../supergraph.graphql', import.meta.url))),
  /**
   * How long a verified credential is trusted without asking the tenants service again, while the
   * tenants service's credential feed reports every revocation to this gateway (decision 025); 0:
   * ask on every request.
   */
  AUTH_CACHE_MS: z.coerce.number().int().min(0).default(300_000),
  /** How long one long poll of the credential feed waits for a change before asking again. */
  AUTH_FEED_WAIT_MS: z.coerce.number().int().min(100).max(30_000).default(20_000),
  /** OpenID Connect (Microsoft Entra ID) bearer tokens; set OIDC_ISSUER and OIDC_AUDIENCE to accept them. */
  OIDC_ISSUER: z.string().url().optional(),
  OIDC_AUDIENCE: z.string().optional(),
  /** Default for Entra ID: <issuer without /v2.0>/discovery/v2.0/keys. */
  OIDC_JWKS_URL: z.string().url().optional(),
  /**
   * The console's sign-in with Entra ID (authorization code with PKCE, a public client): the app
   * registration's client id; unset, the console offers API keys only.
   */
  OIDC_CONSOLE_CLIENT_ID: z.string().min(1).optional(),
  /** The scopes the console asks for, space-separated; for Entra ID e.g. "openid api://<app id>/access_as_user". */
  OIDC_CONSOLE_SCOPES: z.string().default('openid'),
  /** A resource indicator (RFC 8707) the console sends with its requests, for servers that issue tokens per resource; Entra ID v2 uses scopes instead. */
  OIDC_CONSOLE_RESOURCE: z.string().optional(),
  OIDC_TENANT_CLAIM: z.string().default('tid'),
  OIDC_ROLES_CLAIM: z.string().default('roles'),
  /** JSON object mapping tenant claim values to Switchyard tenant ids. */
  OIDC_TENANT_MAP: z.string().default('{}').transform((text, ctx) => {
    try {
      return JSON.parse(text) as Record<string, string>;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON object' });
      return z.NEVER;
    }
  }),
  /** Token buckets: sustained requests per second and burst, per tenant and per API key. */
  RATE_LIMIT_TENANT_PER_SECOND: z.coerce.number().positive().default(50),
  RATE_LIMIT_TENANT_BURST: z.coerce.number().int().min(1).default(100),
  RATE_LIMIT_KEY_PER_SECOND: z.coerce.number().positive().default(25),
  RATE_LIMIT_KEY_BURST: z.coerce.number().int().min(1).default(50),
  /** Shared rate limits across gateway replicas (atomic in Redis); unset: each replica limits alone. */
  REDIS_URL: z.string().url().optional(),
  GRAPHQL_MAX_DEPTH: z.coerce.number().int().min(1).default(10),
  GRAPHQL_MAX_ALIASES: z.coerce.number().int().min(0).default(15),
  GRAPHQL_MAX_TOKENS: z.coerce.number().int().min(100).default(3000),
  GRAPHQL_MAX_COST: z.coerce.number().int().min(100).default(5000),
  /** Audit records that may wait to be written to the tenants service; beyond it they are dropped, logged and counted. */
  AUDIT_QUEUE_CAPACITY: z.coerce.number().int().min(1).default(10_000),
  /** Events that may wait for one slow subscriber before it is dropped. */
  SUBSCRIPTION_QUEUE_CAPACITY: z.coerce.number().int().min(1).default(1000),
  ...subgraphUrlVars,
});

export type GatewayEnv = z.infer<typeof schema> & { subgraphUrls: Record<string, string[]> };
export const readEnv = (env: NodeJS.ProcessEnv = process.env): GatewayEnv => {
  const parsed = parseEnv(schema, env);
  const byVar = parsed as unknown as Record<string, string[]>;
  return { ...parsed, subgraphUrls: Object.fromEntries(SUBGRAPHS.map(({ name }) => [name, byVar[serviceUrlVar(name)]!])) };
};
