import type { z } from 'zod';
import type { OutboundResponse } from '../http/outbound-http-client.ts';
import { defineTool, ToolError, type Tool, type ToolContext } from '../tool.ts';

export type ConnectorErrorCode =
  | 'MISSING_SECRET'
  | 'INVALID_CONFIG'
  | 'BAD_REQUEST'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'RATE_LIMITED'
  | 'UPSTREAM_ERROR'
  | 'UNEXPECTED_RESPONSE';

/** A connector's refusal or the remote service's error, with a stable code and the HTTP status. */
export class ConnectorError extends ToolError {
  override name = 'ConnectorError';
  readonly status: number | undefined;
  constructor(
    readonly code: ConnectorErrorCode,
    message: string,
    options: { retryable?: boolean; status?: number } = {},
  ) {
    super(message, options.retryable ?? false);
    this.status = options.status;
  }
}

const MIN_HIDDEN_LENGTH = 4;

/**
 * The secrets one connector call reads. Credentials read through `credential` (and values derived
 * from them, through `hide`) are replaced by "[redacted]" in the call's result and in the message of
 * any error it throws, so a remote service that echoes a token cannot put it in front of the model.
 */
export class CallSecrets {
  private readonly hidden: string[] = [];

  constructor(private readonly context: ToolContext) {}

  /** A secret the call cannot do without; a clear refusal naming it when the tenant has not set it. */
  async require(name: string): Promise<string> {
    const value = (await this.context.secrets.get(name))?.trim();
    if (!value) throw new ConnectorError('MISSING_SECRET', `set the integration secret ${name}; an admin can add it in the integration settings`);
    return value;
  }

  async optional(name: string): Promise<string | undefined> {
    return (await this.context.secrets.get(name))?.trim() || undefined;
  }

  /** A secret that is a credential: required, and hidden from everything the call returns. */
  async credential(name: string): Promise<string> {
    const value = await this.require(name);
    this.hide(value);
    return value;
  }

  hide(value: string): void {
    if (value.length >= MIN_HIDDEN_LENGTH) this.hidden.push(value, encodeURIComponent(value));
  }

  redact(text: string): string {
    let out = text;
    for (const value of [...this.hidden].sort((a, b) => b.length - a.length)) out = out.split(value).join('[redacted]');
    return out;
  }

  redactValue(value: unknown): unknown {
    if (typeof value === 'string') return this.redact(value);
    if (Array.isArray(value)) return value.map((item) => this.redactValue(item));
    if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, this.redactValue(item)]));
    return value;
  }
}

export interface ConnectorToolDefinition<Args extends z.ZodType> {
  name: string;
  description: string;
  args: Args;
  execute(args: z.infer<Args>, context: ToolContext, secrets: CallSecrets): Promise<unknown>;
}

/** A connector tool: defineTool with source "connector" and the call's credentials redacted from whatever comes out. */
export function defineConnectorTool<Args extends z.ZodType>(definition: ConnectorToolDefinition<Args>): Tool {
  return defineTool({
    name: definition.name,
    description: definition.description,
    args: definition.args,
    source: 'connector',
    execute: async (args, context) => {
      const secrets = new CallSecrets(context);
      try {
        return secrets.redactValue(await definition.execute(args, context, secrets));
      } catch (error) {
        if (error instanceof Error) {
          error.message = secrets.redact(error.message);
          if (error.stack) error.stack = secrets.redact(error.stack);
        }
        throw error;
      }
    },
  });
}

/** A service's base URL from configuration or a secret: http(s), no credentials, no trailing slash. */
export function parseServiceUrl(text: string, what: string, example: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConnectorError('INVALID_CONFIG', `${what} is not a URL; an admin should set it to the service's address, e.g. ${example}`);
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username || url.password) {
    throw new ConnectorError('INVALID_CONFIG', `${what} must be an https URL without credentials, e.g. ${example}`);
  }
  url.pathname = url.pathname.replace(/\/+$/, '');
  url.search = '';
  url.hash = '';
  return url;
}

/** A settings object the tenant keeps under `config[key]` (e.g. `jira: {baseUrl}`); invalid shapes are an admin's error. */
export function connectorConfig<T extends z.ZodType>(config: Record<string, unknown>, key: string, schema: T): z.infer<T> | undefined {
  const raw = config[key];
  if (raw === undefined || raw === null) return undefined;
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${[key, ...issue.path].join('.')}: ${issue.message}`).join('; ');
    throw new ConnectorError('INVALID_CONFIG', `the tool setting ${key} is invalid (${problems}); an admin can fix it in the tool settings`);
  }
  return parsed.data;
}

/** The body as JSON, or an error that says the service answered something else. */
export function responseJson(response: OutboundResponse, service: string): unknown {
  if (response.truncated) {
    throw new ConnectorError('UNEXPECTED_RESPONSE', `${service} answered with more than ${response.maxResponseBytes} bytes; ask for less (fewer records or fields)`, { status: response.status });
  }
  const text = response.body.toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ConnectorError('UNEXPECTED_RESPONSE', `${service} answered ${response.status} with a body that is not JSON; check that the configured address is the service's API`, { status: response.status });
  }
}

/** The JSON body when it parses, else undefined (error bodies are not always JSON). */
export function tryJson(response: OutboundResponse): unknown {
  try {
    return JSON.parse(response.body.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** " Retry after N s." from a Retry-After header in seconds, or nothing. */
export function retryAfterNote(response: OutboundResponse): string {
  const value = response.headers['retry-after'];
  return value && /^\d+$/.test(value) ? ` Retry after ${value} s.` : ' Retry later.';
}
