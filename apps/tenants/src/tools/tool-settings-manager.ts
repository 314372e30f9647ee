import { BadUserInputError, ConflictError, PreconditionFailedError, type TenantContext } from '@switchyard/contracts';
import type { Collection, DocumentStore } from '@switchyard/store';
import { requireRole, requireTenant } from '@switchyard/service-kit';
import {
  EMPTY_TOOL_SETTINGS,
  McpServerConfig,
  ToolConfig,
  isToolEnabled,
  parseMcpServerConfig,
  platformToolCatalogue,
  type McpClientPool,
  type McpPolicy,
  type TenantToolSettings,
  type Tool,
  type ToolSecrets,
} from '@switchyard/tools';

interface ToolSettingsDoc extends TenantToolSettings {
  id: string;
  tenantId: string;
  updatedAt: string;
}

/** A tool as the API lists it: what it is, and whether the tenant's workflows may use it. */
export interface ToolListing {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
  source: string;
  enabled: boolean;
}

/** A registered MCP server as the API shows it: never a header or env value (they may hold credentials). */
export interface McpServerListing {
  name: string;
  transport: string;
  url: string | null;
  command: string | null;
  headerNames: string[];
  /** Tools it offers now, or null when it could not be reached. */
  tools: number | null;
  /** Why its tools are not available, when they are not. */
  error: string | null;
}

/** Where the manager finds what listing MCP tools needs: the connection pool, the policy and the tenant's secrets. */
export interface McpAccess {
  pool: McpClientPool;
  policy: McpPolicy;
  secretsFor(tenantId: string): ToolSecrets;
}

const MAX_MCP_SERVERS = 20;

export interface UpdateToolSettingsInput {
  enable?: string[] | null;
  disable?: string[] | null;
  config?: unknown;
}

const MAX_CONFIG_BYTES = 64 * 1024;

/**
 * Which tools a tenant's workflows may use and how they are configured. The engines read the result
 * at the start of every run (through /internal/tool-settings), so a change applies to the next run.
 */
export class ToolSettingsManager {
  private readonly settings: Collection<ToolSettingsDoc>;
  private readonly catalogue: Tool[] = platformToolCatalogue();

  constructor(
    store: DocumentStore,
    private readonly mcp: McpAccess | null = null,
  ) {
    this.settings = store.collection<ToolSettingsDoc>('tool_settings');
  }

  /** The tenant's settings as the engines need them (platform callers only; no permission check). */
  async forTenant(tenantId: string): Promise<TenantToolSettings> {
    const stored = await this.settings.get(tenantId, tenantId);
    if (!stored) return EMPTY_TOOL_SETTINGS;
    return { overrides: stored.doc.overrides, config: stored.doc.config, mcpServers: stored.doc.mcpServers };
  }

  async list(context: TenantContext): Promise<ToolListing[]> {
    const tenantId = requireTenant(context, 'Listing tools');
    const settings = await this.forTenant(tenantId);
    const { overrides } = settings;
    const mcpTools = (await this.discover(tenantId, settings)).tools;
    return [...this.catalogue, ...mcpTools].map((tool) => ({
      name: tool.name,
      description: tool.description,
      parameters: tool.parameters,
      source: tool.source,
      enabled: isToolEnabled(tool, overrides),
    }));
  }

  async mcpServers(context: TenantContext): Promise<McpServerListing[]> {
    const tenantId = requireTenant(context, 'Listing MCP servers');
    const settings = await this.forTenant(tenantId);
    const discovery = await this.discover(tenantId, settings);
    // A stored config that no longer parses (the config format changed) is shown, not hidden.
    const unreadable = settings.mcpServers.flatMap((raw) => {
      if (McpServerConfig.safeParse(raw).success) return [];
      const name = typeof (raw as { name?: unknown })?.name === 'string' ? (raw as { name: string }).name : '(unnamed)';
      return [{ name, transport: 'unknown', url: null, command: null, headerNames: [], tools: null, error: 'This server\'s stored config is no longer valid; register it again with registerMcpServer.' }];
    });
    const readable = this.servers(settings).map((server) => {
      const problem = discovery.problems.find((p) => p.server === server.name);
      const prefix = `${server.name}__`;
      return {
        name: server.name,
        transport: server.transport,
        url: server.transport === 'streamable-http' ? server.url : null,
        command: server.transport === 'stdio' ? server.command : null,
        headerNames: server.transport === 'streamable-http' ? Object.keys(server.headers) : [],
        tools: problem ? null : discovery.tools.filter((tool) => tool.source === `mcp:${server.name}` || tool.name.startsWith(prefix)).length,
        error: problem?.message ?? null,
      };
    });
    return [...readable, ...unreadable];
  }

  /** Register (or replace, by name) an MCP server whose tools join the tenant's tools. */
  async registerMcpServer(context: TenantContext, input: unknown): Promise<McpServerListing[]> {
    requireRole(context, 'TENANT_ADMIN', 'Registering an MCP server');
    const tenantId = requireTenant(context, 'Registering an MCP server');
    if (!this.mcp) throw new BadUserInputError('MCP servers are not available on this platform.');
    const config = parseMcpServerConfig(input, this.mcp.policy);
    await this.change(tenantId, (current) => {
      const others = (current.mcpServers as McpServerConfig[]).filter((server) => server.name !== config.name);
      if (others.length >= MAX_MCP_SERVERS) throw new BadUserInputError(`A tenant may register at most ${MAX_MCP_SERVERS} MCP servers; remove one first.`);
      return { ...current, mcpServers: [...others, config] };
    });
    return this.mcpServers(context);
  }

  async removeMcpServer(context: TenantContext, name: string): Promise<boolean> {
    requireRole(context, 'TENANT_ADMIN', 'Removing an MCP server');
    const tenantId = requireTenant(context, 'Removing an MCP server');
    let removed = false;
    await this.change(tenantId, (current) => {
      const kept = (current.mcpServers as McpServerConfig[]).filter((server) => server.name !== name);
      removed = kept.length < current.mcpServers.length;
      return { ...current, mcpServers: kept };
    });
    return removed;
  }

  private servers(settings: TenantToolSettings): McpServerConfig[] {
    return settings.mcpServers.flatMap((raw) => {
      const parsed = McpServerConfig.safeParse(raw);
      return parsed.success ? [parsed.data] : [];
    });
  }

  private async discover(tenantId: string, settings: TenantToolSettings) {
    const servers = this.servers(settings);
    if (!this.mcp || servers.length === 0) return { tools: [] as Tool[], problems: [] as Array<{ server: string; message: string }> };
    return this.mcp.pool.discover({ tenantId, servers, secrets: this.mcp.secretsFor(tenantId) });
  }

  async config(context: TenantContext): Promise<ToolConfig> {
    const tenantId = requireTenant(context, 'Reading the tool configuration');
    return (await this.forTenant(tenantId)).config;
  }

  async update(context: TenantContext, input: UpdateToolSettingsInput): Promise<ToolListing[]> {
    requireRole(context, 'TENANT_ADMIN', 'Changing tool settings');
    const tenantId = requireTenant(context, 'Changing tool settings');
    const known = new Set([...this.catalogue, ...(await this.discover(tenantId, await this.forTenant(tenantId))).tools].map((tool) => tool.name));
    const enable = input.enable ?? [];
    const disable = input.disable ?? [];
    for (const [field, names] of [['enable', enable], ['disable', disable]] as const) {
      const unknown = names.filter((name) => !known.has(name));
      if (unknown.length > 0) {
        throw new BadUserInputError(`input.${field}: unknown tool ${unknown.map((n) => `"${n}"`).join(', ')}; the tools query lists the available ones.`, { field: `input.${field}` });
      }
    }
    const both = enable.filter((name) => disable.includes(name));
    if (both.length > 0) throw new BadUserInputError(`input: ${both.join(', ')} cannot be both enabled and disabled.`, { field: 'input.enable' });
    let config: ToolConfig | undefined;
    if (input.config !== undefined && input.config !== null) {
      if (JSON.stringify(input.config).length > MAX_CONFIG_BYTES) throw new BadUserInputError(`input.config must be at most ${MAX_CONFIG_BYTES} bytes of JSON.`, { field: 'input.config' });
      const parsed = ToolConfig.safeParse(input.config);
      if (!parsed.success) {
        throw new BadUserInputError(`input.config: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'config'}: ${i.message}`).join('; ')}`, { field: 'input.config' });
      }
      config = parsed.data;
    }
    await this.change(tenantId, (current) => ({
      ...current,
      overrides: { ...current.overrides, ...Object.fromEntries(enable.map((n) => [n, true])), ...Object.fromEntries(disable.map((n) => [n, false])) },
      ...(config ? { config } : {}),
    }));
    return this.list(context);
  }

  /** Read-change-write with the store's optimistic concurrency, so two admins' changes both land. */
  private async change(tenantId: string, change: (current: TenantToolSettings) => TenantToolSettings): Promise<void> {
    for (let attempt = 0; attempt < 10; attempt++) {
      const stored = await this.settings.get(tenantId, tenantId);
      const next: ToolSettingsDoc = { ...change(stored?.doc ?? EMPTY_TOOL_SETTINGS), id: tenantId, tenantId, updatedAt: new Date().toISOString() };
      try {
        if (stored) await this.settings.replace(next, { ifMatch: stored.etag });
        else await this.settings.create(next);
        return;
      } catch (error) {
        if (!(error instanceof PreconditionFailedError) && !(error instanceof ConflictError)) throw error;
      }
    }
    throw new ConflictError('The tool settings are changing too fast; retry.');
  }
}
