import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ErrorCode as McpErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import type { ErrorCode } from '@switchyard/contracts';
import { ToolError, type Tool, type ToolSecrets } from '../tool.ts';
import { McpConnectError, McpConnection, type McpToolEntry } from './mcp-connection.ts';
import { mcpEgressFetch, type McpEgressFetch } from './mcp-egress.ts';
import { mcpResultText, type McpToolResult } from './mcp-result-text.ts';
import { configDigest, MissingSecretError, resolveSecretValues, stdioRefusal, type McpPolicy, type McpServerConfig } from './mcp-server-config.ts';
import { abortable } from '../abortable.ts';

export interface McpClientPoolOptions extends McpPolicy {
  /** A connection nobody used for this long is closed (default 5 minutes). */
  idleMs?: number;
  /** Connecting and the MCP handshake (default 10 s). */
  connectTimeoutMs?: number;
  /** One tools/call, unless the server's config sets timeoutMs (default 60 s). */
  callTimeoutMs?: number;
  /** Open connections at most; beyond it the least recently used idle one is closed (default 200). */
  maxConnections?: number;
  /**
   * Hosts of Streamable HTTP servers that may resolve to private or loopback addresses (exact names
   * or "*.example.com"); every other host must resolve to public addresses only.
   */
  privateHostExemptions?: readonly string[];
  clientInfo?: { name: string; version: string };
  /** Told when a connection ends, and why. */
  onConnectionClosed?: (event: { tenantId: string; server: string; reason: McpCloseReason }) => void;
}

/**
 * Why a pooled connection ended: unused for idleMs, pushed out for a new one at maxConnections, closed
 * by the server (a stdio process exited), its HTTP session unknown to the server, or the pool closed.
 */
export type McpCloseReason = 'idle' | 'evicted' | 'dropped' | 'session-lost' | 'pool-closed';

/** Why one of a tenant's servers contributed no tools, or fewer than it offers. */
export interface McpServerProblem {
  server: string;
  code: ErrorCode;
  message: string;
}

/** A tenant's MCP tools, and a problem for each server that could not be used (fully). */
export interface McpDiscovery {
  tools: Tool[];
  problems: McpServerProblem[];
}

export interface McpDiscoveryRequest {
  tenantId: string;
  servers: readonly McpServerConfig[];
  secrets: ToolSecrets;
  signal?: AbortSignal;
}

interface PoolEntry {
  key: string;
  tenantId: string;
  server: string;
  connection: Promise<McpConnection>;
  users: number;
  lastUsed: number;
  idleTimer?: NodeJS.Timeout;
}

interface Lease {
  connection: McpConnection;
  release(): void;
  /** The session is gone: close it and let the next use reconnect. */
  discard(): void;
}

/**
 * The platform's MCP clients. Connections are kept by (tenant, server name, config digest) so a run
 * does not reconnect for every call, are shared by concurrent callers, closed after `idleMs` unused,
 * and reopened on the next use. The digest covers the resolved secret values too, so a rotated token
 * opens a new session. Tools it hands out are bound to their tenant: a call with another tenant's
 * context is refused.
 */
export class McpClientPool {
  private readonly entries = new Map<string, PoolEntry>();
  private readonly idleMs: number;
  private readonly connectTimeoutMs: number;
  private readonly callTimeoutMs: number;
  private readonly maxConnections: number;
  private readonly fetch: McpEgressFetch;
  private closed = false;

  constructor(private readonly options: McpClientPoolOptions) {
    this.fetch = mcpEgressFetch({ privateHostExemptions: options.privateHostExemptions ?? [] });
    this.idleMs = options.idleMs ?? 5 * 60_000;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    this.callTimeoutMs = options.callTimeoutMs ?? 60_000;
    this.maxConnections = options.maxConnections ?? 200;
  }

  /** Open connections (connecting ones included). */
  get size(): number {
    return this.entries.size;
  }

  /**
   * The tools of each of the tenant's servers, discovered in parallel. A server that cannot be used
   * (not allowed, a missing secret, unreachable, failing) is reported in `problems`; the others' tools
   * still load.
   */
  async discover(request: McpDiscoveryRequest): Promise<McpDiscovery> {
    const duplicates = request.servers.filter((server, index) => request.servers.findIndex((other) => other.name === server.name) !== index);
    const results = await Promise.all(
      request.servers.map(async (config): Promise<McpDiscovery> => {
        if (duplicates.includes(config)) return { tools: [], problems: [{ server: config.name, code: 'BAD_USER_INPUT', message: `Two MCP servers are named "${config.name}"; rename one.` }] };
        try {
          return await this.discoverServer(request.tenantId, config, request.secrets, request.signal);
        } catch (error) {
          if (request.signal?.aborted) throw request.signal.reason ?? error;
          return { tools: [], problems: [toProblem(config, error)] };
        }
      }),
    );
    return { tools: results.flatMap((result) => result.tools), problems: results.flatMap((result) => result.problems) };
  }

  /** Close every connection; the pool refuses new ones afterwards. */
  async close(): Promise<void> {
    this.closed = true;
    const entries = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(entries.map((entry) => this.closeEntry(entry, 'pool-closed')));
    await this.fetch.close();
  }

  private async discoverServer(tenantId: string, config: McpServerConfig, secrets: ToolSecrets, signal?: AbortSignal): Promise<McpDiscovery> {
    const lease = await this.acquire(tenantId, config, secrets, signal);
    try {
      const list = await abortable(lease.connection.listTools(this.connectTimeoutMs), signal);
      return {
        tools: list.tools.map((entry) => this.bindTool(tenantId, config, entry)),
        problems: list.problems.map((message) => ({ server: config.name, code: 'BAD_USER_INPUT', message: `MCP server "${config.name}": ${message}.` })),
      };
    } finally {
      lease.release();
    }
  }

  private bindTool(tenantId: string, config: McpServerConfig, entry: McpToolEntry): Tool {
    const timeoutMs = config.timeoutMs ?? this.callTimeoutMs;
    return {
      name: entry.name,
      description: entry.description,
      parameters: entry.parameters,
      source: `mcp:${config.name}`,
      parse: entry.parse,
      execute: async (args, context) => {
        if (context.tenantId !== tenantId) throw new Error(`the MCP tool ${entry.name} belongs to another tenant`);
        // A server that restarted has forgotten the session (HTTP 404): the call never ran, so it is
        // sent once more on a new session.
        for (let attempt = 1; ; attempt++) {
          let lease: Lease;
          try {
            lease = await this.acquire(tenantId, config, context.secrets, context.signal);
          } catch (error) {
            if (context.signal.aborted) throw error;
            const problem = toProblem(config, error);
            throw new ToolError(problem.message, problem.code === 'UNAVAILABLE');
          }
          try {
            const result = (await lease.connection.callTool(entry.mcpName, args, context.signal, timeoutMs)) as McpToolResult;
            const text = mcpResultText(result);
            if (result.isError) throw new ToolError(text || `the MCP server "${config.name}" reported an error without a message`);
            return text;
          } catch (error) {
            if (error instanceof ToolError || context.signal.aborted) throw error;
            if (error instanceof StreamableHTTPError && error.code === 404) {
              lease.discard();
              if (attempt === 1) continue;
            }
            throw callError(config, entry, error, timeoutMs);
          } finally {
            lease.release();
          }
        }
      },
    };
  }

  private async acquire(tenantId: string, config: McpServerConfig, secrets: ToolSecrets, signal?: AbortSignal): Promise<Lease> {
    if (this.closed) throw new McpConnectError('The MCP client pool is closed (the service is shutting down).', 'UNAVAILABLE');
    const refusal = stdioRefusal(config, this.options);
    if (refusal) throw new McpConnectError(refusal, 'BAD_USER_INPUT');
    const headers = config.transport === 'streamable-http' ? await resolveSecretValues(config.headers, secrets, (name) => `MCP server "${config.name}": the header ${name}`) : {};
    const env = config.transport === 'stdio' ? await resolveSecretValues(config.env, secrets, (name) => `MCP server "${config.name}": the environment variable ${name}`) : {};
    const key = `${tenantId}\0${config.name}\0${configDigest(config, { ...headers, ...env })}`;

    let entry = this.entries.get(key);
    if (!entry) {
      this.makeRoom();
      const created: PoolEntry = { key, tenantId, server: config.name, users: 0, lastUsed: Date.now(), connection: undefined as unknown as Promise<McpConnection> };
      created.connection = McpConnection.open(
        config,
        { headers, env, connectTimeoutMs: this.connectTimeoutMs, clientInfo: this.options.clientInfo ?? { name: 'switchyard', version: '0.1.0' }, fetch: this.fetch },
        () => this.forget(created, 'dropped'),
      );
      // A failed connect is not kept: the next use tries again.
      created.connection.catch(() => {
        if (this.entries.get(key) === created) this.entries.delete(key);
      });
      this.entries.set(key, created);
      entry = created;
    }
    const current = entry;
    current.users++;
    clearTimeout(current.idleTimer);
    try {
      const connection = await abortable(current.connection, signal);
      let released = false;
      return {
        connection,
        release: () => {
          if (released) return;
          released = true;
          this.release(current);
        },
        discard: () => this.forget(current, 'session-lost'),
      };
    } catch (error) {
      this.release(current);
      throw error;
    }
  }

  private release(entry: PoolEntry): void {
    entry.users--;
    entry.lastUsed = Date.now();
    if (entry.users > 0 || this.entries.get(entry.key) !== entry) return;
    entry.idleTimer = setTimeout(() => {
      if (entry.users === 0 && this.entries.get(entry.key) === entry) this.forget(entry, 'idle');
    }, this.idleMs);
    entry.idleTimer.unref();
  }

  private makeRoom(): void {
    if (this.entries.size < this.maxConnections) return;
    const idle = [...this.entries.values()].filter((entry) => entry.users === 0).sort((a, b) => a.lastUsed - b.lastUsed)[0];
    if (!idle) throw new McpConnectError(`All ${this.maxConnections} MCP connections of this service are in use; try again shortly.`, 'UNAVAILABLE');
    this.forget(idle, 'evicted');
  }

  private forget(entry: PoolEntry, reason: Exclude<McpCloseReason, 'pool-closed'>): void {
    if (this.entries.get(entry.key) !== entry) return;
    this.entries.delete(entry.key);
    void this.closeEntry(entry, reason);
  }

  private async closeEntry(entry: PoolEntry, reason: McpCloseReason): Promise<void> {
    clearTimeout(entry.idleTimer);
    const connection = await entry.connection.catch(() => undefined);
    if (!connection) return;
    if (reason !== 'dropped') await connection.close();
    this.options.onConnectionClosed?.({ tenantId: entry.tenantId, server: entry.server, reason });
  }
}

function toProblem(config: McpServerConfig, error: unknown): McpServerProblem {
  if (error instanceof McpConnectError) return { server: config.name, code: error.code, message: error.message };
  if (error instanceof MissingSecretError) return { server: config.name, code: 'BAD_USER_INPUT', message: error.message };
  if (error instanceof McpError && error.code === McpErrorCode.RequestTimeout) {
    return { server: config.name, code: 'UNAVAILABLE', message: `MCP server "${config.name}" did not list its tools in time; try again later.` };
  }
  return { server: config.name, code: 'UNAVAILABLE', message: `MCP server "${config.name}" failed: ${error instanceof Error ? error.message : String(error)}.` };
}

function callError(config: McpServerConfig, entry: McpToolEntry, error: unknown, timeoutMs: number): ToolError {
  if (error instanceof McpError) {
    if (error.code === McpErrorCode.RequestTimeout) return new ToolError(`the MCP server "${config.name}" did not answer within ${timeoutMs} ms`, true);
    if (error.code === McpErrorCode.ConnectionClosed) return new ToolError(`the connection to the MCP server "${config.name}" closed during the call; try again`, true);
    if (error.code === McpErrorCode.InvalidParams) return new ToolError(`the MCP server "${config.name}" refused the arguments for "${entry.mcpName}": ${error.message}`);
    return new ToolError(`the MCP server "${config.name}" answered with an error: ${error.message}`, error.code === McpErrorCode.InternalError);
  }
  return new ToolError(`the call to the MCP server "${config.name}" failed: ${error instanceof Error ? error.message : String(error)}`, true);
}

