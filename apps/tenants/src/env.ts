import { z } from 'zod';
import { baseServiceEnv } from '@switchyard/service-kit';

export const envSchema = baseServiceEnv.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(4001),
  /** Dev bootstrap: a PLATFORM_ADMIN key and a dev tenant with a TENANT_ADMIN key, ensured at start. */
  SWITCHYARD_BOOTSTRAP_ADMIN_KEY: z.string().optional(),
  SWITCHYARD_BOOTSTRAP_DEV_KEY: z.string().optional(),
  SWITCHYARD_BOOTSTRAP_DEV_TENANT: z.string().default('dev'),
  /** Envelope encryption of integration secrets: a 32-byte base64 key, or an Azure Key Vault key id (preferred in production). */
  SWITCHYARD_MASTER_KEY: z.string().optional(),
  KEY_VAULT_KEY_ID: z.string().url().optional(),
  /** Commands (absolute paths, comma-separated) tenants may run as stdio MCP servers; empty: none. */
  SWITCHYARD_MCP_STDIO_COMMANDS: z.string().default(''),
  /** Hosts that may resolve to private addresses for tools and MCP servers (e.g. an on-premises Jira). */
  SWITCHYARD_TOOLS_PRIVATE_HOSTS: z.string().default(''),
  /** The team plan's limits (the default plan; free and enterprise derive from them, decision 023). The same names as the gateway's and workflows service's fallbacks. */
  RATE_LIMIT_TENANT_PER_SECOND: z.coerce.number().positive().default(50),
  RATE_LIMIT_TENANT_BURST: z.coerce.number().int().min(1).default(100),
  QUOTA_RUNS_PER_MONTH: z.coerce.number().int().min(1).default(100_000),
  QUOTA_CONCURRENT_WORKFLOWS: z.coerce.number().int().min(1).default(200),
  /** eraseTenantData: the wait between every service refusing the tenant's writes and deleting its data (longer than a replica's 1 s cache of "not erased"). */
  ERASURE_SETTLE_MS: z.coerce.number().int().min(0).default(2500),
});
