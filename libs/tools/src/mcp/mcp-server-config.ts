import { createHash } from 'node:crypto';
import { z } from 'zod';
import { BadUserInputError } from '@switchyard/contracts';
import type { ToolSecrets } from '../tool.ts';

/** A tenant's name for one of its MCP servers; it prefixes the server's tool names. */
export const McpServerName = z
  .string()
  .regex(/^[a-z0-9_-]{1,32}$/, 'must be 1-32 lowercase letters, digits, "_" or "-"');

// Headers the transport sets itself; a tenant's value would break the protocol or the request.
const RESERVED_HEADERS = new Set(['host', 'content-length', 'content-type', 'accept', 'connection', 'transfer-encoding', 'mcp-session-id', 'mcp-protocol-version', 'last-event-id']);
// Variables that change what an allowlisted command actually runs (its loader, its runtime, its PATH).
const FORBIDDEN_ENV = /^(PATH|NODE_OPTIONS|NODE_PATH|PYTHONPATH|PYTHONSTARTUP|PERL5OPT|RUBYOPT|BASH_ENV|ENV|LD_.*|DYLD_.*)$/;

const HeaderName = z
  .string()
  .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/, 'must be an HTTP header name')
  .refine((name) => !RESERVED_HEADERS.has(name.toLowerCase()), { message: 'is set by the MCP transport itself and cannot be configured' });
const EnvName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'must be an environment variable name')
  .refine((name) => !FORBIDDEN_ENV.test(name), { message: 'would change which program runs; it cannot be set for an MCP server' });

const timeoutMs = z.number().int().min(1_000).max(600_000).optional().describe('How long one tool call may take (default: the pool\'s callTimeoutMs)');

/** An MCP server reached over Streamable HTTP; header values may reference the tenant's secrets. */
export const McpStreamableHttpServerConfig = z.strictObject({
  name: McpServerName,
  transport: z.literal('streamable-http'),
  url: z.url({ protocol: /^https?$/, error: 'must be an http or https URL' }),
  /** Values are literal, or reference a secret: "secret:<name>" (the whole value) or "Bearer ${secret:<name>}". */
  headers: z.record(HeaderName, z.string().max(8_192)).default({}),
  timeoutMs,
});

/** An MCP server run as a child process on the platform's hosts: only operator-allowlisted commands. */
export const McpStdioServerConfig = z.strictObject({
  name: McpServerName,
  transport: z.literal('stdio'),
  command: z.string().min(1).max(1_000),
  args: z.array(z.string().max(8_192)).max(64).default([]),
  /** Added to a minimal environment (HOME, PATH, USER, ...); values may reference secrets like headers. */
  env: z.record(EnvName, z.string().max(8_192)).default({}),
  cwd: z.string().startsWith('/', 'must be an absolute path').max(1_000).optional(),
  timeoutMs,
});

/** One MCP server a tenant registered, whose tools join that tenant's tool registry. */
export const McpServerConfig = z.discriminatedUnion('transport', [McpStreamableHttpServerConfig, McpStdioServerConfig]);
export type McpServerConfig = z.output<typeof McpServerConfig>;
export type McpServerConfigInput = z.input<typeof McpServerConfig>;

/** What the operator allows, filled by the service from its environment. */
export interface McpPolicy {
  /**
   * Commands a stdio server may run, compared exactly with the configured command (e.g. from
   * SWITCHYARD_MCP_STDIO_COMMANDS). Empty: no stdio servers. Arguments are the tenant's, so list
   * server programs or wrapper scripts, not general interpreters.
   */
  stdioCommands: readonly string[];
}

/**
 * The operator's stdio allowlist from the text of SWITCHYARD_MCP_STDIO_COMMANDS: absolute paths
 * separated by commas or new lines. A relative entry ("npx") is refused: which program it names
 * would depend on PATH.
 */
export function parseStdioCommandList(text: string | undefined): string[] {
  const entries = (text ?? '').split(/[,\n]/).map((entry) => entry.trim()).filter((entry) => entry.length > 0);
  const relative = entries.filter((entry) => !entry.startsWith('/'));
  if (relative.length > 0) throw new Error(`MCP stdio commands must be absolute paths; not: ${relative.join(', ')}`);
  return entries;
}

/** Why a stdio config is refused by the operator's allowlist, or undefined when it is allowed. */
export function stdioRefusal(config: McpServerConfig, policy: McpPolicy): string | undefined {
  if (config.transport !== 'stdio' || policy.stdioCommands.includes(config.command)) return undefined;
  return policy.stdioCommands.length === 0
    ? `MCP server "${config.name}": stdio servers are disabled on this platform (the operator allows no commands); register a streamable-http server instead.`
    : `MCP server "${config.name}": the command "${config.command}" is not on the operator's allowlist for stdio servers; use one of: ${policy.stdioCommands.join(', ')}, or a streamable-http server.`;
}

/**
 * Validate a server config a tenant submits. Throws BAD_USER_INPUT naming every problem by its path,
 * including a stdio command the operator does not allow.
 */
export function parseMcpServerConfig(input: unknown, policy: McpPolicy): McpServerConfig {
  const parsed = McpServerConfig.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      // A record key's own checks come nested in an "invalid_key" issue; their messages say more.
      const message = issue.code === 'invalid_key' ? issue.issues.map((inner) => inner.message).join(', ') : issue.message;
      return `${issue.path.join('.') || 'config'}: ${message}`;
    });
    throw new BadUserInputError(`Invalid MCP server config: ${problems.join('; ')}.`, { problems });
  }
  const refusal = stdioRefusal(parsed.data, policy);
  if (refusal) throw new BadUserInputError(refusal);
  return parsed.data;
}

const WHOLE_SECRET = /^secret:([A-Za-z0-9_.-]{1,128})$/;
const EMBEDDED_SECRET = /\$\{secret:([A-Za-z0-9_.-]{1,128})\}/g;

/** The secret names a header or env value references. */
export function referencedSecrets(value: string): string[] {
  const whole = WHOLE_SECRET.exec(value);
  if (whole) return [whole[1]!];
  return [...value.matchAll(EMBEDDED_SECRET)].map((match) => match[1]!);
}

/** A value whose secret references cannot be resolved for this tenant. */
export class MissingSecretError extends Error {
  override name = 'MissingSecretError';
}

/** Replace the secret references of each value with the tenant's secrets. */
export async function resolveSecretValues(values: Record<string, string>, secrets: ToolSecrets, describe: (key: string) => string): Promise<Record<string, string>> {
  const resolved: Record<string, string> = {};
  for (const [key, value] of Object.entries(values)) {
    const names = referencedSecrets(value);
    const found = new Map<string, string>();
    for (const name of names) {
      const secret = await secrets.get(name);
      if (secret === undefined) throw new MissingSecretError(`${describe(key)} references the secret "${name}", which this tenant has not set; set it, or change the value.`);
      found.set(name, secret);
    }
    resolved[key] = WHOLE_SECRET.test(value) ? found.get(names[0]!)! : value.replace(EMBEDDED_SECRET, (_match, name: string) => found.get(name)!);
  }
  return resolved;
}

/** A stable digest of a config (and of any resolved secret values), for pool keys; never the values themselves. */
export function configDigest(config: McpServerConfig, resolved: Record<string, string> = {}): string {
  return createHash('sha256').update(canonicalJson({ config, resolved })).digest('hex').slice(0, 32);
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
