import { lookup as dnsLookup } from 'node:dns';
import type { LookupFunction } from 'node:net';
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import { Agent, fetch as undiciFetch } from 'undici';
import { classifyAddress, hostMatches, isIpLiteral, normalizeHost } from '../http/index.ts';

/** A tenant's MCP URL points at an address the platform does not connect to for tenants. */
export class McpEgressRefusedError extends Error {
  override name = 'McpEgressRefusedError';
  readonly code = 'PRIVATE_ADDRESS';
}

export interface McpEgressOptions {
  /**
   * Hosts (exact names or "*.example.com") that may resolve to private addresses: an MCP server on
   * the company network, or 127.0.0.1 in tests (SWITCHYARD_TOOLS_PRIVATE_HOSTS, as for http_request).
   */
  privateHostExemptions?: readonly string[];
}

/**
 * The fetch the pool uses for Streamable HTTP servers. A tenant chooses the URL, so without a check
 * it could point the platform at its own internal services or a cloud metadata endpoint. Every
 * address a host resolves to must be public unless the operator exempted the host, and the check
 * runs in the socket's own lookup, so the connection goes to an address that was checked (a DNS
 * answer that changes between check and connect cannot slip through). Keep-alive connections are
 * shared through one agent.
 */
export function mcpEgressFetch(options: McpEgressOptions = {}): McpEgressFetch {
  const exemptions = options.privateHostExemptions ?? [];
  const agent = new Agent({ connect: { lookup: checkedLookup(exemptions) } });
  const fetch: FetchLike = async (url, init) => {
    const target = new URL(url);
    const host = normalizeHost(target.hostname);
    // Sockets to IP literals skip the lookup: check them here.
    if (isIpLiteral(host) && !hostMatches(host, exemptions)) refuseUnlessPublic(host, host);
    // undici's fetch and the global one share the Fetch API; their TypeScript types differ in detail.
    return (await undiciFetch(url, { ...(init as Record<string, unknown>), dispatcher: agent })) as unknown as Response;
  };
  return Object.assign(fetch, { close: () => agent.close() });
}

/** The checked fetch, and a way to close its kept-alive connections. */
export type McpEgressFetch = FetchLike & { close(): Promise<void> };

function refuseUnlessPublic(host: string, address: string): void {
  const verdict = classifyAddress(address);
  if (!verdict.public) {
    const subject = host === address ? `${host} is` : `${host} resolves to ${verdict.address}, which is`;
    throw new McpEgressRefusedError(`${subject} a ${verdict.range} address, which MCP servers of tenants may not use; use a public host, or ask the operator to exempt this host`);
  }
}

function checkedLookup(exemptions: readonly string[]): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { all: true, verbatim: true, ...(options.family ? { family: options.family } : {}) }, (error, addresses) => {
      if (error) return callback(error, '', 4);
      if (!hostMatches(hostname, exemptions)) {
        try {
          for (const entry of addresses) refuseUnlessPublic(normalizeHost(hostname), entry.address);
        } catch (refusal) {
          return callback(refusal as NodeJS.ErrnoException, '', 4);
        }
      }
      if (options.all) return (callback as unknown as (error: null, addresses: unknown) => void)(null, addresses);
      const first = addresses[0];
      if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 4);
      callback(null, first.address, first.family);
    });
  };
}
