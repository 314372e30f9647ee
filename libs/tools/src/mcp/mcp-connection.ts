import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ErrorCode as McpErrorCode, McpError, ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import type { JsonSchema, Tool } from '../tool.ts';
import { JsonSchemaArguments } from './json-schema-arguments.ts';
import type { McpServerConfig } from './mcp-server-config.ts';
import { McpEgressRefusedError } from './mcp-egress.ts';
import { mcpToolName } from './mcp-tool-name.ts';

/** Pages and tools read from one server's tools/list at most: a server cannot make discovery endless. */
export const MAX_TOOL_PAGES = 50;
export const MAX_TOOLS_PER_SERVER = 500;
const MAX_DESCRIPTION = 4_000;
const STDERR_TAIL = 2_000;

/** One MCP tool as discovered, before it is bound to a tenant's calls. */
export interface McpToolEntry {
  /** The registry name ("<server>__<tool>", shortened when needed). */
  name: string;
  /** The name the server knows it by, used in tools/call. */
  mcpName: string;
  description: string;
  parameters: JsonSchema;
  parse: Tool['parse'];
}

export interface McpToolList {
  tools: McpToolEntry[];
  /** Tools left out, and why (a schema that cannot be checked, two names that meet). */
  problems: string[];
}

export interface McpConnectOptions {
  headers: Record<string, string>;
  env: Record<string, string>;
  connectTimeoutMs: number;
  fetch: FetchLike;
  clientInfo: { name: string; version: string };
}

/** A failure to reach or talk to an MCP server, with the platform error code it maps to. */
export class McpConnectError extends Error {
  override name = 'McpConnectError';
  constructor(message: string, readonly code: 'UNAVAILABLE' | 'BAD_USER_INPUT') {
    super(message);
  }
}

/** One live session with one MCP server: its SDK client, and its tools once listed. */
export class McpConnection {
  private toolList?: Promise<McpToolList>;
  private closing?: Promise<void>;

  private constructor(
    readonly config: McpServerConfig,
    private readonly client: Client,
    private readonly transport: StreamableHTTPClientTransport | StdioClientTransport,
  ) {
    client.setNotificationHandler(ToolListChangedNotificationSchema, async () => {
      this.toolList = undefined;
    });
  }

  /** Connect and complete the MCP handshake, or fail with a message that says what to fix. */
  static async open(config: McpServerConfig, options: McpConnectOptions, onClose: () => void): Promise<McpConnection> {
    const client = new Client(options.clientInfo, { capabilities: {} });
    let stderrTail = '';
    const transport = config.transport === 'streamable-http'
      ? new StreamableHTTPClientTransport(new URL(config.url), { requestInit: { headers: options.headers }, fetch: options.fetch })
      : new StdioClientTransport({ command: config.command, args: config.args, env: options.env, ...(config.cwd ? { cwd: config.cwd } : {}), stderr: 'pipe' });
    if (transport instanceof StdioClientTransport) {
      transport.stderr?.on('data', (chunk: Buffer) => {
        stderrTail = (stderrTail + chunk.toString('utf8')).slice(-STDERR_TAIL);
      });
    }
    try {
      await client.connect(transport, { timeout: options.connectTimeoutMs });
    } catch (error) {
      await client.close().catch(() => undefined);
      throw describeConnectError(config, error, options.connectTimeoutMs, stderrTail);
    }
    const connection = new McpConnection(config, client, transport);
    client.onclose = () => {
      if (!connection.closing) onClose();
    };
    return connection;
  }

  /** The server's tools, every page of tools/list, read once until the server says they changed. */
  listTools(timeoutMs: number): Promise<McpToolList> {
    const list = (this.toolList ??= this.readTools(timeoutMs));
    list.catch(() => {
      if (this.toolList === list) this.toolList = undefined;
    });
    return list;
  }

  async callTool(mcpName: string, args: unknown, signal: AbortSignal, timeoutMs: number) {
    signal.throwIfAborted();
    // The SDK never removes the abort listener it adds to a request's signal; a run's signal lives for
    // many calls, so each call gets its own signal, linked to the run's only while the call lasts.
    const call = new AbortController();
    const forward = () => call.abort(signal.reason);
    signal.addEventListener('abort', forward, { once: true });
    try {
      return await this.client.callTool({ name: mcpName, arguments: args as Record<string, unknown> }, undefined, { signal: call.signal, timeout: timeoutMs });
    } finally {
      signal.removeEventListener('abort', forward);
    }
  }

  /** End the session: an HTTP server is told to drop it (DELETE), a stdio server's process is ended. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.transport instanceof StreamableHTTPClientTransport && this.transport.sessionId) {
        await this.transport.terminateSession().catch(() => undefined);
      }
      await this.client.close().catch(() => undefined);
    })();
    return this.closing;
  }

  private async readTools(timeoutMs: number): Promise<McpToolList> {
    const server = this.config.name;
    const validator = new JsonSchemaArguments();
    const tools: McpToolEntry[] = [];
    const problems: string[] = [];
    const names = new Map<string, string>();
    const seenCursors = new Set<string>();
    let cursor: string | undefined;
    for (let page = 0; page < MAX_TOOL_PAGES; page++) {
      const result = await this.client.listTools(cursor === undefined ? {} : { cursor }, { timeout: timeoutMs });
      for (const tool of result.tools) {
        if (tools.length + problems.length >= MAX_TOOLS_PER_SERVER) {
          problems.push(`only the first ${MAX_TOOLS_PER_SERVER} tools are used`);
          return { tools, problems };
        }
        const name = mcpToolName(server, tool.name);
        const clash = names.get(name);
        if (clash !== undefined) {
          problems.push(`tool "${tool.name}" is left out: its name meets "${clash}" as ${name}`);
          continue;
        }
        const { $schema: _dialect, ...parameters } = tool.inputSchema as JsonSchema;
        let parse: Tool['parse'];
        try {
          parse = validator.compile(tool.inputSchema as JsonSchema);
        } catch (error) {
          problems.push(`tool "${tool.name}" is left out: ${error instanceof Error ? error.message : String(error)}`);
          continue;
        }
        names.set(name, tool.name);
        const description = tool.description ?? tool.title ?? tool.annotations?.title ?? `The tool "${tool.name}" of the MCP server "${server}".`;
        tools.push({ name, mcpName: tool.name, description: description.length > MAX_DESCRIPTION ? `${description.slice(0, MAX_DESCRIPTION - 1)}…` : description, parameters, parse });
      }
      cursor = result.nextCursor;
      if (cursor === undefined) return { tools, problems };
      if (seenCursors.has(cursor)) {
        problems.push(`tools/list repeated the cursor "${cursor.slice(0, 40)}"; the tools after it are not used`);
        return { tools, problems };
      }
      seenCursors.add(cursor);
    }
    problems.push(`tools/list has more than ${MAX_TOOL_PAGES} pages; only those are used`);
    return { tools, problems };
  }
}

function describeConnectError(config: McpServerConfig, error: unknown, timeoutMs: number, stderrTail: string): McpConnectError {
  const prefix = `MCP server "${config.name}"`;
  const where = config.transport === 'streamable-http' ? ` at ${config.url}` : ` (${config.command})`;
  const refused = findCause(error, (cause) => cause instanceof McpEgressRefusedError);
  if (refused) return new McpConnectError(`${prefix}${where} is refused: ${(refused as Error).message}.`, 'BAD_USER_INPUT');
  if (error instanceof StreamableHTTPError && (error.code === 401 || error.code === 403)) {
    return new McpConnectError(`${prefix}${where} refused the credentials (HTTP ${error.code}); check its headers and the secrets they reference.`, 'BAD_USER_INPUT');
  }
  if (error instanceof StreamableHTTPError && error.code !== undefined) {
    return new McpConnectError(`${prefix}${where} answered HTTP ${error.code}; check that the URL is the server's MCP endpoint.`, error.code === 404 || error.code === 405 ? 'BAD_USER_INPUT' : 'UNAVAILABLE');
  }
  if (error instanceof McpError && error.code === McpErrorCode.RequestTimeout) {
    return new McpConnectError(`${prefix}${where} did not complete the MCP handshake within ${timeoutMs} ms; check that it is an MCP server and that it is running.`, 'UNAVAILABLE');
  }
  const systemCode = errorCode(error);
  if (systemCode === 'ENOENT' && config.transport === 'stdio') {
    return new McpConnectError(`${prefix}: the command "${config.command}" was not found on this host; ask the operator to install it.`, 'UNAVAILABLE');
  }
  if (systemCode === 'ECONNREFUSED' || systemCode === 'ENOTFOUND' || systemCode === 'EAI_AGAIN' || systemCode === 'ECONNRESET' || systemCode === 'ETIMEDOUT') {
    return new McpConnectError(`${prefix}${where} cannot be reached (${systemCode}); check the URL and that the server is running.`, 'UNAVAILABLE');
  }
  const reason = error instanceof Error ? error.message : String(error);
  const output = stderrTail.trim() ? ` Its last output: ${stderrTail.trim().slice(-500)}` : '';
  return new McpConnectError(`${prefix}${where} could not be started or reached: ${reason}.${output}`, 'UNAVAILABLE');
}

function findCause(error: unknown, test: (cause: unknown) => boolean): unknown {
  for (let current: unknown = error, depth = 0; current && depth < 5; depth++) {
    if (test(current)) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function errorCode(error: unknown): string | undefined {
  for (let current: unknown = error, depth = 0; current && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
