import { z } from 'zod';
import { defineTool, ToolError, type Tool } from '../tool.ts';
import type { OutboundHttpClient, OutboundResponse } from './outbound-http-client.ts';

// Set by the client from the URL and body, or connection-level: a model cannot choose them.
const FORBIDDEN_HEADERS = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'expect', 'te', 'trailer', 'proxy-authorization', 'proxy-connection']);
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

// The response headers a caller can act on; cookies and the rest stay out of the model's context.
const SHOWN_HEADERS = ['content-type', 'content-length', 'location', 'retry-after', 'date', 'last-modified', 'etag', 'cache-control', 'link', 'www-authenticate'];

/** The tenant's allowlist from the tool configuration (`allowedHosts`); none when absent or malformed. */
export function allowedHostsOf(config: Record<string, unknown>): string[] {
  const parsed = z.array(z.string()).safeParse(config['allowedHosts']);
  return parsed.success ? parsed.data : [];
}

/** Whether a body with this content type is text a model can read. */
export function isTextual(contentType: string | undefined): boolean {
  if (!contentType) return true;
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  return type.startsWith('text/') || /[/+](json|xml|javascript|ecmascript|yaml|csv)$/.test(type) || type === 'application/x-www-form-urlencoded';
}

/** The body as the model reads it: text (cut at the limit, with a note), or a line about binary content. */
export function describeBody(response: OutboundResponse): { body: string; note?: string } {
  const contentType = response.headers['content-type'];
  if (!isTextual(contentType)) {
    return { body: '', note: `the body is binary (${contentType}, ${response.truncated ? `more than ${response.maxResponseBytes}` : response.body.length} bytes) and is not shown` };
  }
  const text = response.body.toString('utf8');
  if (!response.truncated) return { body: text };
  return { body: text, note: `the body was cut at ${response.maxResponseBytes} bytes (the limit for one response); ask for a smaller part, e.g. with a query parameter or a Range header` };
}

/**
 * http_request: one HTTP request to a host on the tenant's allowlist, through the outbound client
 * (public addresses only, pinned connections, redirects re-checked, bounded time and size).
 */
export function httpRequestTool(client: OutboundHttpClient): Tool {
  return defineTool({
    name: 'http_request',
    source: 'builtin',
    description:
      "Send an HTTP request to a web API or page on one of the hosts this organisation allows, and get the status, the main response headers and the body as text (long bodies are cut). Use it for public REST APIs and web pages.",
    args: z.object({
      method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD']).default('GET'),
      url: z.string().min(1).max(8192).describe('Absolute http or https URL'),
      headers: z.record(z.string(), z.string().max(8192)).optional().describe('Request headers by name'),
      body: z
        .union([z.string().max(1_000_000), z.record(z.string(), z.unknown()), z.array(z.unknown())])
        .optional()
        .describe('Request body: text, or a JSON object or array (sent as application/json)'),
    }),
    execute: async ({ method, url, headers = {}, body }, context) => {
      const sent: Record<string, string> = {};
      for (const [name, value] of Object.entries(headers)) {
        const lower = name.toLowerCase();
        if (!TOKEN.test(name)) throw new ToolError(`"${name}" is not a valid header name`);
        if (FORBIDDEN_HEADERS.has(lower) || lower.startsWith('proxy-')) throw new ToolError(`the header ${name} is set by the client and cannot be sent; leave it out`);
        if (/[\r\n\0]/.test(value)) throw new ToolError(`the value of the header ${name} contains a line break; send it on one line`);
        sent[lower] = value;
      }
      let text: string | undefined;
      if (body !== undefined) {
        if (method === 'GET' || method === 'HEAD') throw new ToolError(`a ${method} request has no body; use POST, PUT or PATCH to send one`);
        if (typeof body === 'string') {
          text = body;
        } else {
          text = JSON.stringify(body);
          sent['content-type'] ??= 'application/json';
        }
      }
      const response = await client.send({ method, url, headers: sent, body: text, allowedHosts: allowedHostsOf(context.config), signal: context.signal });
      const shown = Object.fromEntries(SHOWN_HEADERS.filter((name) => response.headers[name] !== undefined).map((name) => [name, response.headers[name]!]));
      const { body: bodyText, note } = method === 'HEAD' ? { body: '', note: undefined } : describeBody(response);
      return {
        status: response.status,
        ...(response.redirects > 0 ? { url: response.url, redirects: response.redirects } : {}),
        headers: shown,
        body: bodyText,
        ...(note ? { note } : {}),
      };
    },
  });
}
