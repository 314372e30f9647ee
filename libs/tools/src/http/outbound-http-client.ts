import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupFunction } from 'node:net';
import { rootCertificates } from 'node:tls';
import { Agent, request } from 'undici';
import { ToolError } from '../tool.ts';
import { classifyAddress, isIpLiteral } from './address-policy.ts';
import { hostMatches, normalizeHost } from './host-patterns.ts';
import { abortable } from '../abortable.ts';

/** One address a host name resolved to. */
export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to every address it has (tests pass their own to play DNS). */
export type HostResolver = (hostname: string) => Promise<ResolvedAddress[]>;

export type OutboundHttpErrorCode =
  | 'INVALID_URL'
  | 'HOST_NOT_ALLOWED'
  | 'PRIVATE_ADDRESS'
  | 'INSECURE_TRANSPORT'
  | 'DNS_FAILED'
  | 'TOO_MANY_REDIRECTS'
  | 'TIMEOUT'
  | 'CONNECTION_FAILED';

/**
 * A refused or failed outbound request, with a stable code. Messages name the host, never the full
 * URL (a connector's URL can be a credential, like a Slack webhook's path).
 */
export class OutboundHttpError extends ToolError {
  override name = 'OutboundHttpError';
  constructor(readonly code: OutboundHttpErrorCode, message: string, retryable = false) {
    super(message, retryable);
  }
}

export interface OutboundHttpOptions {
  /**
   * Hosts (exact names or "*.example.com") that may resolve to private addresses: an on-premises
   * Jira, or 127.0.0.1 in tests. Filled by the services from SWITCHYARD_TOOLS_PRIVATE_HOSTS. Without
   * an entry, loopback, private, link-local and every other non-public address is refused.
   */
  privateHostExemptions?: readonly string[];
  /** DNS resolution; the system resolver (all addresses) by default. */
  resolve?: HostResolver;
  /** Time for the whole exchange, redirects and body included. Default 15 s. */
  timeoutMs?: number;
  /** Bytes of a response body read before stopping. Default 1 MiB. */
  maxResponseBytes?: number;
  /** Redirects followed before giving up. Default 5. */
  maxRedirects?: number;
  userAgent?: string;
  /**
   * Certificate authorities (PEM) trusted in addition to the system's, e.g. the company CA of an
   * on-premises Jira. Certificates are always verified against the URL's host name.
   */
  extraCertificateAuthorities?: readonly string[];
}

export type OutboundMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD';

export interface OutboundRequest {
  method: OutboundMethod;
  url: string;
  headers?: Record<string, string>;
  body?: string;
  /** The tenant's allowlist (exact names and "*.example.com"). */
  allowedHosts: readonly string[];
  /**
   * The URL's host comes from the tenant's own connector configuration (a Jira base URL, a
   * Salesforce instance): it skips the allowlist, but its addresses are still checked. A redirect to
   * another host must be on `allowedHosts`.
   */
  hostFromTenantConfig?: boolean;
  /** The request carries credentials: plain http is refused unless the host is exempted. */
  carriesCredentials?: boolean;
  signal: AbortSignal;
  timeoutMs?: number;
  maxResponseBytes?: number;
}

export interface OutboundResponse {
  status: number;
  /** Response headers, lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: Buffer;
  /** The body was longer than the limit: `body` holds only its first `maxResponseBytes`. */
  truncated: boolean;
  maxResponseBytes: number;
  /** The URL that answered (after redirects). */
  url: string;
  redirects: number;
}

const DEFAULTS = { timeoutMs: 15_000, maxResponseBytes: 1024 * 1024, maxRedirects: 5 };
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
// Sent to the first origin only: a redirect elsewhere must not carry the caller's credentials.
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];

const systemResolver: HostResolver = async (hostname) => {
  const addresses = await dnsLookup(hostname, { all: true, verbatim: true });
  return addresses.map((entry) => ({ address: entry.address, family: entry.family === 6 ? 6 : 4 }));
};

/** "host" or "host:port" as messages show it. */
function describeHost(url: URL): string {
  return url.port ? `${normalizeHost(url.hostname)}:${url.port}` : normalizeHost(url.hostname);
}

/**
 * The one way tools reach outside the platform. Every hop (the first request and each redirect) is
 * checked: http(s) only, the host on the tenant's allowlist (or from the tenant's connector
 * configuration), and every address the host resolves to public unless the operator exempted the
 * host. The connection then goes to exactly the addresses that were checked (the socket's lookup is
 * pinned to them), so a DNS answer that changes between the check and the connect cannot redirect
 * it. Time and body size are bounded; the caller's signal aborts at once.
 */
export class OutboundHttpClient {
  private readonly exemptions: readonly string[];
  private readonly resolve: HostResolver;
  private readonly timeoutMs: number;
  private readonly maxResponseBytes: number;
  private readonly maxRedirects: number;
  private readonly userAgent: string;
  private readonly ca: string[] | undefined;

  constructor(options: OutboundHttpOptions = {}) {
    this.exemptions = options.privateHostExemptions ?? [];
    this.resolve = options.resolve ?? systemResolver;
    this.timeoutMs = options.timeoutMs ?? DEFAULTS.timeoutMs;
    this.maxResponseBytes = options.maxResponseBytes ?? DEFAULTS.maxResponseBytes;
    this.maxRedirects = options.maxRedirects ?? DEFAULTS.maxRedirects;
    this.userAgent = options.userAgent ?? 'Switchyard-Tools/1.0';
    // Node replaces its built-in roots when `ca` is given: keep them and add the operator's.
    this.ca = options.extraCertificateAuthorities?.length ? [...rootCertificates, ...options.extraCertificateAuthorities] : undefined;
  }

  /** Whether the operator allowed this host to resolve to private addresses. */
  isExempt(hostname: string): boolean {
    return hostMatches(hostname, this.exemptions);
  }

  async send(outbound: OutboundRequest): Promise<OutboundResponse> {
    const timeoutMs = outbound.timeoutMs ?? this.timeoutMs;
    const maxResponseBytes = outbound.maxResponseBytes ?? this.maxResponseBytes;
    const deadline = AbortSignal.timeout(timeoutMs);
    const signal = AbortSignal.any([outbound.signal, deadline]);

    let url = parseUrl(outbound.url);
    const firstOrigin = url.origin;
    const configuredHost = normalizeHost(url.hostname);
    let method = outbound.method;
    let body = outbound.body;
    let headers = { ...lowerCaseKeys(outbound.headers ?? {}) };
    if (!('user-agent' in headers)) headers['user-agent'] = this.userAgent;

    try {
      for (let redirects = 0; ; redirects++) {
        const hostTrusted = outbound.hostFromTenantConfig === true && normalizeHost(url.hostname) === configuredHost;
        const addresses = await this.check(url, outbound, hostTrusted, signal);
        const response = await this.exchange(url, method, headers, body, addresses, signal, maxResponseBytes);
        if (!REDIRECT_STATUSES.has(response.status) || response.headers['location'] === undefined) {
          return { ...response, url: url.toString(), redirects };
        }
        if (redirects >= this.maxRedirects) {
          throw new OutboundHttpError('TOO_MANY_REDIRECTS', `${describeHost(url)} redirected more than ${this.maxRedirects} times; stopped`);
        }
        let next: URL;
        try {
          next = new URL(response.headers['location'], url);
        } catch {
          throw new OutboundHttpError('INVALID_URL', `${describeHost(url)} redirected to an invalid location`);
        }
        if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === 'POST')) {
          if (method !== 'HEAD') method = 'GET';
          body = undefined;
          delete headers['content-type'];
        }
        if (next.origin !== firstOrigin) {
          headers = Object.fromEntries(Object.entries(headers).filter(([name]) => !CREDENTIAL_HEADERS.includes(name)));
        }
        url = next;
      }
    } catch (error) {
      if (outbound.signal.aborted) throw outbound.signal.reason ?? error;
      if (deadline.aborted) {
        throw new OutboundHttpError('TIMEOUT', `the request to ${describeHost(url)} took longer than ${formatSeconds(timeoutMs)}; stopped`, true);
      }
      throw error;
    }
  }

  /** The hop's URL against the rules; the addresses to connect to. */
  private async check(url: URL, outbound: OutboundRequest, hostTrusted: boolean, signal: AbortSignal): Promise<ResolvedAddress[]> {
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new OutboundHttpError('INVALID_URL', `only http and https URLs can be requested, not ${url.protocol.replace(/:$/, '')}`);
    }
    if (url.username || url.password) {
      throw new OutboundHttpError('INVALID_URL', 'URLs with a user name or password are refused; send credentials in a header instead');
    }
    const host = normalizeHost(url.hostname);
    const exempt = this.isExempt(host);
    if (!hostTrusted && !hostMatches(host, outbound.allowedHosts)) {
      const empty = outbound.allowedHosts.length === 0 ? ' (the allowlist is empty)' : '';
      throw new OutboundHttpError('HOST_NOT_ALLOWED', `the host ${host} is not on this tenant's allowlist${empty}; an admin can add it in the tool settings`);
    }
    if (outbound.carriesCredentials && url.protocol === 'http:' && !exempt) {
      throw new OutboundHttpError('INSECURE_TRANSPORT', `${host} is reached over plain http; credentials are only sent over https (use an https URL)`);
    }

    let addresses: ResolvedAddress[];
    if (isIpLiteral(host)) {
      addresses = [{ address: host, family: host.includes(':') ? 6 : 4 }];
    } else {
      try {
        addresses = await abortable(this.resolve(host), signal);
      } catch (error) {
        if (signal.aborted) throw error;
        const code = (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error));
        throw new OutboundHttpError('DNS_FAILED', `the host ${host} could not be resolved (${code}); check the host name`, code === 'EAI_AGAIN');
      }
      if (addresses.length === 0) throw new OutboundHttpError('DNS_FAILED', `the host ${host} has no addresses; check the host name`);
    }
    if (!exempt) {
      for (const { address } of addresses) {
        const verdict = classifyAddress(address);
        if (!verdict.public) {
          const what = isIpLiteral(host) ? `${host} is a ${verdict.range} address` : `${host} resolves to a ${verdict.range} address ${verdict.address}`;
          throw new OutboundHttpError('PRIVATE_ADDRESS', `${what}; refused (tools may only reach public addresses)`);
        }
      }
    }
    return addresses;
  }

  /** One request to one of the checked addresses; the body read up to the limit. */
  private async exchange(
    url: URL,
    method: OutboundMethod,
    headers: Record<string, string>,
    body: string | undefined,
    addresses: ResolvedAddress[],
    signal: AbortSignal,
    maxResponseBytes: number,
  ): Promise<Omit<OutboundResponse, 'url' | 'redirects'>> {
    const agent = new Agent({ connect: { lookup: pinnedLookup(addresses), ...(this.ca ? { ca: this.ca } : {}) }, pipelining: 0 });
    try {
      const response = await request(url, { method, headers, body, dispatcher: agent, signal }).catch((error: unknown) => {
        throw signal.aborted ? error : connectionError(url, error);
      });
      const chunks: Buffer[] = [];
      let length = 0;
      let truncated = false;
      for await (const chunk of response.body as AsyncIterable<Buffer>) {
        if (length + chunk.length > maxResponseBytes) {
          chunks.push(chunk.subarray(0, maxResponseBytes - length));
          length = maxResponseBytes;
          truncated = true;
          response.body.destroy();
          break;
        }
        chunks.push(chunk);
        length += chunk.length;
      }
      const responseHeaders: Record<string, string> = {};
      for (const [name, value] of Object.entries(response.headers)) {
        if (value !== undefined) responseHeaders[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
      }
      return { status: response.statusCode, headers: responseHeaders, body: Buffer.concat(chunks, length), truncated, maxResponseBytes };
    } finally {
      await agent.destroy().catch(() => undefined);
    }
  }
}

/** A socket lookup that answers only with the addresses that passed the check. */
function pinnedLookup(addresses: ResolvedAddress[]): LookupFunction {
  return (_hostname, options, callback) => {
    const family = typeof options === 'object' && options !== null ? options.family : undefined;
    const wanted = family === 4 || family === 6 ? addresses.filter((entry) => entry.family === family) : addresses;
    if (wanted.length === 0) {
      callback(Object.assign(new Error('no checked address of the requested family'), { code: 'ENOTFOUND' }), '', 4);
      return;
    }
    if (typeof options === 'object' && options !== null && options.all) {
      (callback as unknown as (error: null, addresses: ResolvedAddress[]) => void)(null, wanted);
    } else {
      callback(null, wanted[0]!.address, wanted[0]!.family);
    }
  };
}

function parseUrl(text: string): URL {
  try {
    return new URL(text);
  } catch {
    throw new OutboundHttpError('INVALID_URL', 'the URL is not valid; send an absolute http or https URL such as https://api.example.com/path');
  }
}

function lowerCaseKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}

function connectionError(url: URL, error: unknown): OutboundHttpError {
  const cause = (error as { cause?: unknown }).cause ?? error;
  const code = (cause as NodeJS.ErrnoException).code ?? (error as NodeJS.ErrnoException).code;
  const reason =
    code === 'ECONNREFUSED' ? 'the connection was refused'
    : code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' ? 'the connection was closed by the other side'
    : code !== undefined && /^ERR_(TLS|SSL)|CERT|SIGNATURE|ISSUER/.test(code) ? `a TLS error (${code})`
    : code ?? (error instanceof Error ? error.message : String(error));
  return new OutboundHttpError('CONNECTION_FAILED', `could not get an answer from ${describeHost(url)}: ${reason}`, true);
}


function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
