import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HostResolver, ResolvedAddress } from '../outbound-http-client.ts';
import type { Tool, ToolContext, ToolSecrets } from '../../tool.ts';

/** A request as the test server received it. */
export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface LoopbackServer {
  port: number;
  /** http://127.0.0.1:<port><path> */
  url(path?: string): string;
  requests: ReceivedRequest[];
  /** Resolves with the next request the server receives (before the handler answers it). */
  nextRequest(): Promise<ReceivedRequest>;
  close(): Promise<void>;
}

// The return value is ignored, so handlers can be written as `(req, res) => res.end(...)`.
type Handler = (request: ReceivedRequest, response: ServerResponse) => unknown;

/** A real HTTP server on 127.0.0.1 and a free port; the handler sees each request with its body read. */
export async function startLoopbackServer(handler: Handler): Promise<LoopbackServer> {
  const requests: ReceivedRequest[] = [];
  const waiting: Array<(request: ReceivedRequest) => void> = [];
  const server: Server = createServer((incoming, response) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const received: ReceivedRequest = { method: incoming.method ?? '', path: incoming.url ?? '', headers: incoming.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(received);
      for (const resolve of waiting.splice(0)) resolve(received);
      Promise.resolve(handler(received, response)).catch((error: unknown) => {
        response.statusCode = 500;
        response.end(String(error));
      });
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: (path = '/') => `http://127.0.0.1:${port}${path}`,
    requests,
    nextRequest: () => new Promise((resolve) => waiting.push(resolve)),
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

/** Answers with JSON. */
export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json;charset=UTF-8', ...headers });
  response.end(JSON.stringify(body));
}

/**
 * A DNS stand-in: each name answers with its addresses (a list per call in turn, the last one
 * repeating), and every lookup is counted. Unknown names fail like the system resolver (ENOTFOUND).
 */
export function fakeDns(answers: Record<string, string[] | string[][]>): HostResolver & { calls: string[] } {
  const calls: string[] = [];
  const resolver = async (hostname: string): Promise<ResolvedAddress[]> => {
    const previous = calls.filter((name) => name === hostname).length;
    calls.push(hostname);
    const answer = answers[hostname];
    if (!answer) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    const turns = Array.isArray(answer[0]) ? (answer as string[][]) : [answer as string[]];
    const addresses = turns[Math.min(previous, turns.length - 1)]!;
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return Object.assign(resolver, { calls });
}

/** A tool context for a tenant with these secrets and this tool configuration. */
export function toolContext(options: { secrets?: Record<string, string>; config?: Record<string, unknown>; signal?: AbortSignal; tenantId?: string } = {}): ToolContext {
  const secrets: ToolSecrets = { get: async (name) => options.secrets?.[name] };
  return { tenantId: options.tenantId ?? 'tenant-a', signal: options.signal ?? new AbortController().signal, secrets, config: options.config ?? {} };
}

/** Runs a tool directly (arguments validated first) and returns the error it throws; fails the test if it does not. */
export async function toolFailure(tool: Tool, args: unknown, context: ToolContext): Promise<Error & { code?: string; status?: number; retryable?: boolean }> {
  const parsed = tool.parse(args);
  if (!parsed.ok) throw new Error(`invalid test arguments: ${parsed.problems.join('; ')}`);
  const outcome = await tool.execute(parsed.value, context).then(
    (result) => ({ result }),
    (error: unknown) => ({ error }),
  );
  if (!('error' in outcome)) throw new Error(`expected ${tool.name} to fail, it returned ${JSON.stringify(outcome.result)}`);
  if (!(outcome.error instanceof Error)) throw new Error(`expected an Error, got ${String(outcome.error)}`);
  return outcome.error;
}
