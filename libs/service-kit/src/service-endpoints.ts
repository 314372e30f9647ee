import { STATUS_CODES } from 'node:http';
import { Readable } from 'node:stream';
import type { ReadableStream } from 'node:stream/web';
import { request, type Dispatcher } from 'undici';
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

export interface EndpointRequestInit {
  method?: string;
  headers?: Record<string, string> | Headers | [string, string][];
  /** A peer service's body: JSON or text, whole. */
  body?: string | Buffer | null;
  signal?: AbortSignal | null;
  /** Hand the body over unread, to be read as it arrives (e.g. NDJSON); see ServiceEndpoints.fetch. */
  stream?: boolean;
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
   * Request `path` (an absolute path such as `/internal/usage`, or '' for the base URL itself) from one
   * of the addresses, trying the others in turn when a connection fails as described above. The
   * answer has the parts of a fetch Response the platform reads. It comes from undici's `request`,
   * which writes a whole body at once where fetch streams it and builds a Request and a Response
   * around every call (the HTTP client was the engine's largest cost per model call, docs/benchmarks.md).
   * The answer's body is read whole before this returns, so every connection goes back to the pool
   * whether or not the caller reads it; with `stream: true` it is not, and the caller reads it to the
   * end or destroys it (`nodeBody`).
   */
  async fetch(path: string, init: EndpointRequestInit = {}): Promise<EndpointResponse> {
    const { idempotent = false, stream = false, method = 'GET', headers, body, signal } = init;
    const options = { method: method.toUpperCase() as Dispatcher.HttpMethod, headers: plainHeaders(headers), body: body ?? null, signal: signal ?? null };
    let lastError: unknown;
    for (let attempt = 0; attempt < this.urls.length; attempt++) {
      const base = this.pick();
      const url = path === '' ? base : new URL(path, base).href;
      let answer: Dispatcher.ResponseData;
      try {
        answer = await request(url, options);
      } catch (error) {
        lastError = error;
        if (signal?.aborted) throw signal.reason ?? error;
        if (connectionFailed(error)) this.markDown(base);
        if (!(neverConnected(error) || (idempotent && connectionFailed(error)))) throw error;
        continue;
      }
      if (stream) return new EndpointResponse(url, answer.statusCode, answer.headers, answer.body);
      try {
        return new EndpointResponse(url, answer.statusCode, answer.headers, Buffer.from(await answer.body.arrayBuffer()));
      } catch (error) {
        // The answer broke off: the peer saw the request, so it is sent again only when that is harmless.
        lastError = error;
        if (signal?.aborted) throw signal.reason ?? error;
        if (!(idempotent && connectionFailed(error))) throw error;
      }
    }
    throw lastError;
  }
}

function plainHeaders(headers: EndpointRequestInit['headers']): Record<string, string> {
  if (!headers) return {};
  if (Array.isArray(headers)) return Object.fromEntries(headers);
  if (headers instanceof Headers) return Object.fromEntries(headers.entries());
  return headers;
}

/** The answer of {@link ServiceEndpoints.fetch}: what the platform and Apollo's data sources read of a fetch Response. */
export class EndpointResponse {
  readonly ok: boolean;
  readonly statusText: string;
  readonly redirected = false;
  readonly type = 'basic';
  private headerList: Headers | undefined;
  private used = false;

  constructor(
    readonly url: string,
    readonly status: number,
    private readonly rawHeaders: Record<string, string | string[] | undefined>,
    /** The whole body, or (streamed) the body still to be read. */
    private readonly content: Buffer | Readable,
  ) {
    this.ok = status >= 200 && status < 300;
    this.statusText = STATUS_CODES[status] ?? '';
  }

  get headers(): Headers {
    if (!this.headerList) {
      const list = new Headers();
      for (const [name, value] of Object.entries(this.rawHeaders)) {
        if (Array.isArray(value)) for (const item of value) list.append(name, item);
        else if (value !== undefined) list.set(name, value);
      }
      this.headerList = list;
    }
    return this.headerList;
  }

  get bodyUsed(): boolean {
    return this.used;
  }

  /** The body as a web stream. */
  get body(): ReadableStream<Uint8Array> {
    return Readable.toWeb(this.nodeBody) as ReadableStream<Uint8Array>;
  }

  /** The body as a Node stream (a streamed answer's own, without a web stream around it). */
  get nodeBody(): Readable {
    this.used = true;
    return Buffer.isBuffer(this.content) ? Readable.from([this.content]) : this.content;
  }

  async text(): Promise<string> {
    this.used = true;
    if (Buffer.isBuffer(this.content)) return this.content.toString('utf8');
    return (this.content as Readable & { text(): Promise<string> }).text();
  }

  // Typed as fetch's Response.json() is, so callers cast it to what they expect.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async json(): Promise<any> {
    return JSON.parse(await this.text()) as unknown;
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    this.used = true;
    const bytes = Buffer.isBuffer(this.content) ? this.content : Buffer.from(await (this.content as Readable & { arrayBuffer(): Promise<ArrayBuffer> }).arrayBuffer());
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
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
