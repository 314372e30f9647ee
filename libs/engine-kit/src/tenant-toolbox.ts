import { CONTEXT_HEADER, UnavailableError, type TenantContext } from '@switchyard/contracts';
import type { CodeExecutor } from '@switchyard/code-sandbox';
import { ServiceEndpoints, type ContextTokens, type EndpointResponse, type Logger } from '@switchyard/service-kit';
import { runContext } from './budgeted-llm.ts';
import {
  EMPTY_TOOL_SETTINGS,
  ToolError,
  ToolRegistry,
  McpServerConfig,
  isToolEnabled,
  parseHostList,
  parseStdioCommandList,
  platformTools,
  runCodeTool,
  McpClientPool,
  type OutboundToolsOptions,
  type KnowledgeHit,
  type TenantToolSettings,
  type Tool,
  type ToolCallOutcome,
  type ToolCallRecord,
  type ToolContext,
  type ToolSecrets,
} from '@switchyard/tools';

/** The tools of one run: the tenant's enabled tools, and how to call them on the run's behalf. */
export interface RunTools {
  registry: ToolRegistry;
  /**
   * Call a tool with the run's context (tenant, secrets, configuration, abort signal); `signal`
   * narrows the run's signal for one call (a graph node's timeout).
   */
  call(name: string, rawArguments: unknown, options?: { onRecord?: (record: ToolCallRecord) => void; signal?: AbortSignal }): Promise<ToolCallOutcome>;
  /** The context calls run with, for adapters (LangChain tools) that take it directly. */
  context: ToolContext;
}

/** Extra tool sources a tenant may have (its MCP servers), loaded per run. */
export interface TenantToolSource {
  tools(tenant: TenantContext, settings: TenantToolSettings, secrets: ToolSecrets): Promise<{ tools: Tool[]; problems: string[] }>;
}

export interface TenantToolboxOptions {
  /** Signs calls to the tenants and knowledge services; needed when either URL is set. */
  tokens?: ContextTokens;
  /** The service's name as it signs its calls, e.g. "service:engine-crewai". */
  subject: string;
  /** run_code's sandbox: one for the service, or one per workflow (a dynamic session each). */
  codeExecutor: CodeExecutor | ((tenantId: string, workflowId: string) => CodeExecutor);
  /** The tenants service (tool settings and integration secrets); without it every tenant has the defaults and no secrets. */
  tenantsUrl?: ServiceEndpoints | string | readonly string[];
  /** The knowledge service, for knowledge_search. */
  knowledgeUrl?: ServiceEndpoints | string | readonly string[];
  /** Tools of this engine only (e.g. a graph's filter_list), always available to its runs. */
  engineTools?: Tool[];
  /** The outbound HTTP rules of http_request and the connectors (the operator's private-host exemptions). */
  outbound?: OutboundToolsOptions;
  /** Connections to tenants' MCP servers; without it, MCP servers are ignored. */
  mcp?: McpClientPool;
  /** More tool sources for a tenant. */
  extraSources?: TenantToolSource[];
  logger?: Logger;
}

/**
 * Builds each run's tool registry from the tenant's settings in the tenants service: the platform's
 * tools the tenant enabled, the engine's own tools, and the tools of the tenant's MCP servers.
 * Secrets are fetched when a tool asks for one, never cached beyond the run, never logged.
 */
export class TenantToolbox {
  private readonly tenants: ServiceEndpoints | undefined;
  private readonly knowledge: ServiceEndpoints | undefined;

  constructor(private readonly options: TenantToolboxOptions) {
    this.tenants = options.tenantsUrl ? ServiceEndpoints.of(options.tenantsUrl) : undefined;
    this.knowledge = options.knowledgeUrl ? ServiceEndpoints.of(options.knowledgeUrl) : undefined;
  }

  /** The platform's tools, made once per process: they hold no run's state (a call brings its tenant's context). */
  private shared: Tool[] | undefined;

  private baseTools(tenantId: string, workflowId: string): Tool[] {
    const { codeExecutor } = this.options;
    const perRun = typeof codeExecutor === 'function';
    this.shared ??= platformTools({
      // A sandbox per run is made below; this stand-in is never called.
      codeExecutor: perRun ? { languages: [], execute: () => Promise.reject(new Error('run_code needs the run\'s sandbox')) } : codeExecutor,
      knowledge: (query, first, context) => this.searchKnowledge(query, first, context),
      ...(this.options.outbound ? { outbound: this.options.outbound } : {}),
    });
    if (!perRun) return this.shared;
    return this.shared.map((tool) => (tool.name === 'run_code' ? runCodeTool(codeExecutor(tenantId, workflowId)) : tool));
  }

  /** Close the MCP connections (stdio server processes included) when the service stops. */
  async close(): Promise<void> {
    await this.options.mcp?.close();
  }

  /** The names a definition may refer to for this tenant (for validation at startWorkflow). */
  async toolNames(tenant: TenantContext): Promise<string[]> {
    const settings = await this.settings(tenant);
    const extra = await this.extraTools(tenant, settings, this.secrets(tenant, new AbortController().signal));
    return [...this.enabled(settings, [...this.baseTools(tenant.tenantId ?? '', 'validation'), ...extra]).names()];
  }

  async forRun(tenant: TenantContext, workflowId: string, signal: AbortSignal): Promise<RunTools> {
    const settings = await this.settings(tenant);
    const secrets = this.secrets(tenant, signal);
    const extra = await this.extraTools(tenant, settings, secrets);
    const registry = this.enabled(settings, [...this.baseTools(tenant.tenantId ?? '', workflowId), ...extra]);
    // The run's choice (decision 021): tool spans carry arguments and results only for a tenant that opted in.
    const keepContent = runContext.getStore()?.keepPrompts === true;
    const context: ToolContext = { tenantId: tenant.tenantId ?? '', workflowId, signal, secrets, config: settings.config, ...(keepContent ? { keepContent } : {}) };
    return {
      registry,
      context,
      call: (name, rawArguments, options = {}) =>
        registry.call(name, rawArguments, options.signal ? { ...context, signal: AbortSignal.any([signal, options.signal]) } : context, options.onRecord),
    };
  }

  private enabled(settings: TenantToolSettings, tools: Tool[]): ToolRegistry {
    const allowed = tools.filter((tool) => isToolEnabled(tool, settings.overrides));
    return new ToolRegistry([...allowed, ...(this.options.engineTools ?? [])]);
  }

  private async extraTools(tenant: TenantContext, settings: TenantToolSettings, secrets: ToolSecrets): Promise<Tool[]> {
    const tools: Tool[] = [];
    const sources = [...(this.options.mcp ? [mcpToolSource(this.options.mcp)] : []), ...(this.options.extraSources ?? [])];
    for (const source of sources) {
      const loaded = await source.tools(tenant, settings, secrets);
      for (const problem of loaded.problems) this.options.logger?.warn({ tenantId: tenant.tenantId, problem }, 'a tool source could not be loaded');
      tools.push(...loaded.tools);
    }
    return tools;
  }

  private async settings(tenant: TenantContext): Promise<TenantToolSettings> {
    if (!this.tenants || !tenant.tenantId) return EMPTY_TOOL_SETTINGS;
    const response = await this.post(this.tenants, '/internal/tool-settings', tenant, {}, AbortSignal.timeout(5000)).catch((error: Error) => {
      throw new UnavailableError(`The tenant's tool settings could not be read (${error.message}); retry later.`);
    });
    if (!response.ok) throw new UnavailableError(`The tenant's tool settings could not be read (HTTP ${response.status}); retry later.`);
    return (await response.json()) as TenantToolSettings;
  }

  private secrets(tenant: TenantContext, signal: AbortSignal): ToolSecrets {
    return {
      get: async (qualifiedName) => {
        const dot = qualifiedName.indexOf('.');
        if (dot <= 0) throw new Error(`secret names are "<integration>.<name>", got "${qualifiedName}"`);
        if (!this.tenants || !tenant.tenantId) return undefined;
        const response = await this.post(
          this.tenants,
          '/internal/integration-secret',
          tenant,
          { tenantId: tenant.tenantId, integration: qualifiedName.slice(0, dot), name: qualifiedName.slice(dot + 1) },
          AbortSignal.any([signal, AbortSignal.timeout(5000)]),
        );
        if (response.status === 404) return undefined;
        if (!response.ok) throw new ToolError(`the secret ${qualifiedName} could not be read (HTTP ${response.status}); retry later`, true);
        return ((await response.json()) as { value: string }).value;
      },
    };
  }

  private async searchKnowledge(query: string, first: number, context: ToolContext): Promise<KnowledgeHit[]> {
    if (!this.knowledge) throw new ToolError('the knowledge base is not available to this engine');
    const tenant: TenantContext = { tenantId: context.tenantId, role: 'VIEWER', keyId: null, subject: this.options.subject };
    const response = await this.post(this.knowledge, '/internal/knowledge/search', tenant, { query, first, ...(context.workflowId ? { workflowId: context.workflowId } : {}) }, AbortSignal.any([context.signal, AbortSignal.timeout(15_000)]));
    if (!response.ok) throw new ToolError(`the knowledge base answered HTTP ${response.status}; try again`, true);
    return ((await response.json()) as { hits: KnowledgeHit[] }).hits;
  }

  private async post(service: ServiceEndpoints, path: string, tenant: TenantContext, body: unknown, signal: AbortSignal): Promise<EndpointResponse> {
    if (!this.options.tokens) throw new Error('TenantToolbox needs tokens to call other services');
    // Reads: tool settings, a secret, a search.
    return service.fetch(path, {
      idempotent: true,
      method: 'POST',
      headers: { 'content-type': 'application/json', [CONTEXT_HEADER]: await this.options.tokens.sign({ ...tenant, subject: this.options.subject }) },
      body: JSON.stringify(body),
      signal,
    });
  }
}

/** The tools of a tenant's registered MCP servers, through the service's connection pool. */
export function mcpToolSource(pool: McpClientPool): TenantToolSource {
  return {
    async tools(tenant, settings, secrets) {
      if (!tenant.tenantId || settings.mcpServers.length === 0) return { tools: [], problems: [] };
      const servers: McpServerConfig[] = [];
      const problems: string[] = [];
      for (const raw of settings.mcpServers) {
        const parsed = McpServerConfig.safeParse(raw);
        if (parsed.success) servers.push(parsed.data);
        else problems.push(`an MCP server config no longer parses: ${parsed.error.message}`);
      }
      const discovery = await pool.discover({ tenantId: tenant.tenantId, servers, secrets });
      return { tools: discovery.tools, problems: [...problems, ...discovery.problems.map((p) => `MCP server "${p.server}": ${p.message}`)] };
    },
  };
}

/**
 * An engine's toolbox from the environment: the tenants and knowledge services from
 * SWITCHYARD_TENANTS_URL and SWITCHYARD_KNOWLEDGE_URL (both set by the platform's launcher), hosts
 * that may be private from SWITCHYARD_TOOLS_PRIVATE_HOSTS (e.g. an on-premises Jira), and the stdio
 * MCP server commands the operator allows from SWITCHYARD_MCP_STDIO_COMMANDS.
 */
export function toolboxFromEnv(env: NodeJS.ProcessEnv, options: Omit<TenantToolboxOptions, 'tenantsUrl' | 'knowledgeUrl' | 'outbound' | 'mcp'>): TenantToolbox {
  const privateHostExemptions = parseHostList(env.SWITCHYARD_TOOLS_PRIVATE_HOSTS);
  return new TenantToolbox({
    ...options,
    outbound: { privateHostExemptions },
    mcp: new McpClientPool({ stdioCommands: parseStdioCommandList(env.SWITCHYARD_MCP_STDIO_COMMANDS), privateHostExemptions }),
    ...(env.SWITCHYARD_TENANTS_URL ? { tenantsUrl: env.SWITCHYARD_TENANTS_URL } : {}),
    ...(env.SWITCHYARD_KNOWLEDGE_URL ? { knowledgeUrl: env.SWITCHYARD_KNOWLEDGE_URL } : {}),
  });
}
