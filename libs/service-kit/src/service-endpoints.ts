import { z } from 'zod';

/** Connection failures after which the request certainly never reached the peer: safe to send elsewhere. */
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);
/** Failures where the peer may have seen the request (a replica that died mid-answer). */
const CONNECTION_LOST = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);

function errorCode(error: unknown): string | undefined {
  for (let current = error as { code?: unknown; cause?: unknown } | undefined, depth = 0; current && depth < 4; depth++) {
    if (typeof current.code === 'string') return current.code;
    current = current.cause as typeof current;
  }
  return undefined;
}

/** True when a fetch failed before the request could have reached the peer. */
export function neverConnected(error: unknown): boolean {
  const code = errorCode(error);
  return code !== undefined && NOT_CONNECTED.has(code);
}

/** True when a fetch failed at the connection (refused, unreachable or lost), not with an answer. */
export function connectionFailed(error: unknown): boolean {
  const code = errorCode(error);
  return code !== undefined && (NOT_CONNECTED.has(code) || CONNECTION_LOST.has(code));
}

export interface ServiceEndpointsOptions {
  /** How long an address that refused a connection is passed over. Default 2000 ms. */
  cooldownMs?: number;
}

export interface EndpointRequestInit extends RequestInit {
  /**
   * The request may be sent twice without harm (reads, and writes keyed by an id the peer dedupes),
   * so a connection lost mid-request is retried on the next address too. Refused connections are
   * always retried elsewhere, since the peer never saw them.
   */
  idempotent?: boolean;
}

/**
 * A peer service reached through one or more base URLs, its replicas: requests rotate over them
 * (round robin), an address that refuses connections is passed over for a while, and a request that
 * could not connect goes to the next address. One address (a Kubernetes Service) works the same.
 */
export class ServiceEndpoints {
  readonly urls: readonly string[];
  private next = 0;
  private readonly downUntil = new Map<string, number>();
  private readonly cooldownMs: number;

  constructor(urls: string | readonly string[], options: ServiceEndpointsOptions = {}) {
    this.urls = typeof urls === 'string' ? parseServiceUrls(urls) : [...urls];
    if (this.urls.length === 0) throw new Error('A service needs at least one URL.');
    this.cooldownMs = options.cooldownMs ?? 2000;
  }

  /** The endpoints themselves, or endpoints over the given URL(s). */
  static of(value: ServiceEndpoints | string | readonly string[]): ServiceEndpoints {
    return value instanceof ServiceEndpoints ? value : new ServiceEndpoints(value);
  }

  /** The first configured URL, for messages and logs. */
  get primary(): string {
    return this.urls[0]!;
  }

  /** The address to use now: the next one in turn that is not cooling down (any, when all are). */
  pick(): string {
    const now = Date.now();
    for (let i = 0; i < this.urls.length; i++) {
      const url = this.urls[(this.next + i) % this.urls.length]!;
      if ((this.downUntil.get(url) ?? 0) <= now) {
        this.next = (this.next + i + 1) % this.urls.length;
        return url;
      }
    }
    const url = this.urls[this.next % this.urls.length]!;
    this.next = (this.next + 1) % this.urls.length;
    return url;
  }

  markDown(url: string): void {
    this.downUntil.set(url, Date.now() + this.cooldownMs);
  }

  /**
   * fetch() `path` (an absolute path such as `/internal/usage`, or '' for the base URL itself) on one
   * of the addresses, trying the others in turn when a connection fails as described above.
   */
  async fetch(path: string, init: EndpointRequestInit = {}): Promise<Response> {
    const { idempotent = false, ...requestInit } = init;
    let lastError: unknown;
    for (let attempt = 0; attempt < this.urls.length; attempt++) {
      const base = this.pick();
      try {
        return await fetch(path === '' ? base : new URL(path, base), requestInit);
      } catch (error) {
        lastError = error;
        if (requestInit.signal?.aborted) throw error;
        if (connectionFailed(error)) this.markDown(base);
        if (!(neverConnected(error) || (idempotent && connectionFailed(error)))) throw error;
      }
    }
    throw lastError;
  }
}

/** `http://a:4001/graphql,http://b:4001/graphql` → each URL, checked. */
export function parseServiceUrls(value: string): string[] {
  return value
    .split(',')
    .map((url) => url.trim())
    .filter(Boolean);
}

/**
 * An env setting naming a peer service: one URL, or several comma-separated (its replicas), each a
 * valid http(s) URL. Parsed into the list.
 */
export function serviceUrlsSetting(defaultUrl?: string) {
  const list = z.string().transform((value, ctx) => {
    const urls = parseServiceUrls(value);
    if (urls.length === 0) ctx.addIssue({ code: 'custom', message: 'needs at least one URL' });
    for (const url of urls) {
      if (!z.string().url().safeParse(url).success || !/^https?:\/\//.test(url)) {
        ctx.addIssue({ code: 'custom', message: `"${url}" is not an http(s) URL (several URLs are separated by commas)` });
      }
    }
    return urls;
  });
  // prefault, not default: the default goes through the same parsing as a configured value.
  return defaultUrl === undefined ? list : list.prefault(defaultUrl);
}
