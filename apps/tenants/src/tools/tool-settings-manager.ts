import { BadUserInputError, ConflictError, PreconditionFailedError, type TenantContext } from '@switchyard/contracts';
import type { Collection, DocumentStore } from '@switchyard/store';
import { requireRole, requireTenant } from '@switchyard/service-kit';
import { EMPTY_TOOL_SETTINGS, ToolConfig, isToolEnabled, platformToolCatalogue, type TenantToolSettings, type Tool } from '@switchyard/tools';

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

  constructor(store: DocumentStore) {
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
    const { overrides } = await this.forTenant(tenantId);
    return this.catalogue.map((tool) => ({
      name: tool.name,
      description: tool.description,
      parameters: tool.parameters,
      source: tool.source,
      enabled: isToolEnabled(tool, overrides),
    }));
  }

  async config(context: TenantContext): Promise<ToolConfig> {
    const tenantId = requireTenant(context, 'Reading the tool configuration');
    return (await this.forTenant(tenantId)).config;
  }

  async update(context: TenantContext, input: UpdateToolSettingsInput): Promise<ToolListing[]> {
    requireRole(context, 'TENANT_ADMIN', 'Changing tool settings');
    const tenantId = requireTenant(context, 'Changing tool settings');
    const known = new Set(this.catalogue.map((tool) => tool.name));
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
