import { z } from 'zod';
import type { Tool } from './tool.ts';

/** Tools a tenant's workflows may use until an admin says otherwise: none of them reaches outside the platform. */
export const ENABLED_BY_DEFAULT: readonly string[] = ['calculator', 'current_time', 'word_count', 'knowledge_search', 'run_code'];

const HOST_PATTERN = /^(\*\.)?[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

/**
 * The tenant's non-secret tool configuration. `allowedHosts` is http_request's allowlist (exact host
 * names, or "*.example.com" for its subdomains); connectors keep their settings under their own key
 * (e.g. `jira: { baseUrl }`). Secrets never go here: they are integration secrets, encrypted at rest.
 */
export const ToolConfig = z
  .object({
    allowedHosts: z
      .array(z.string().trim().toLowerCase().regex(HOST_PATTERN, 'must be a host name such as "api.example.com" or "*.example.com"'))
      .max(200)
      .default([]),
  })
  .catchall(z.unknown());
export type ToolConfig = z.infer<typeof ToolConfig>;

/** What the tenants service keeps per tenant and hands to the engines at the start of a run. */
export interface TenantToolSettings {
  /** Explicit choices by tool name; a tool without one follows the default. */
  overrides: Record<string, boolean>;
  config: ToolConfig;
  /** The tenant's registered MCP servers (see the mcp module for their shape). */
  mcpServers: unknown[];
}

export const EMPTY_TOOL_SETTINGS: TenantToolSettings = { overrides: {}, config: { allowedHosts: [] }, mcpServers: [] };

/**
 * Whether a tenant's workflows may use a tool: the admin's choice when there is one; otherwise the
 * platform's safe built-ins are on, tools of an MCP server the tenant registered itself are on, and
 * everything that reaches outside (http_request, the connectors) is off until enabled.
 */
export function isToolEnabled(tool: Pick<Tool, 'name' | 'source'>, overrides: Record<string, boolean>): boolean {
  const choice = overrides[tool.name];
  if (choice !== undefined) return choice;
  return tool.source.startsWith('mcp:') || ENABLED_BY_DEFAULT.includes(tool.name);
}
