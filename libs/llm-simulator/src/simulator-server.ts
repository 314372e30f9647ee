import { randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_EMBEDDING_DIMENSIONS, embedText, toBase64Float32 } from './embeddings.ts';
import { simulateReply, textOf, type SimulatedReply, type WireChatRequest, type WireMessage } from './simulated-replies.ts';
import { countTokens, fnv1a } from './text-tools.ts';

/** How to start the simulator; every field is optional. */
export interface SimulatorOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Defaults to 127.0.0.1. */
  host?: string;
  /** Added before every model response; a request's `x-simulator-latency-ms` header overrides it. */
  latencyMs?: number;
  /** Pause between streamed chunks, so tokens arrive over time; header `x-simulator-chunk-delay-ms` overrides it. */
  chunkDelayMs?: number;
  /**
   * Leave `usage` out of chat replies (and out of the stream even when `stream_options.include_usage` asks for it),
   * as some compatible servers do; header `x-simulator-omit-usage: true` does the same for one call.
   */
  omitUsage?: boolean;
  /**
   * A file to which every charged chat completion is appended as one JSON line
   * (`{"id","model","promptTokens","completionTokens","at"}`) before its usage is sent: what a
   * provider's invoice would list, for reconciling billing against it. Written synchronously, so a
   * killed simulator keeps every line it wrote.
   */
  journal?: string;
  /**
   * Faults injected at random into chat calls, by spec and rate (0 to 1, summing to at most 1), e.g.
   * `{"429": 0.1, "500": 0.1, "timeout": 0.05, "truncate": 0.05, "bad-tool-json": 0.1}`; also settable
   * at run time with `POST /_simulator/faults {"rates": {...}, "seed": n}`.
   */
  faultRates?: Record<string, number>;
  /** Seed of the fault draws, so a run with the same calls in the same order replays the same faults. */
  faultSeed?: number;
}

/** One model call as the simulator saw it; tests use `at` to measure retry back-off. */
export interface SimulatorRequestRecord {
  at: number;
  endpoint: 'chat' | 'embeddings';
  model: string;
  stream: boolean;
  /** The fault injected into this call, if any. */
  fault?: string;
  auth: 'bearer' | 'api-key' | 'none';
  /** True when the call came in on an Azure-style `/openai/deployments/{name}/...` path. */
  azure: boolean;
}

/** Call counts and recent calls, as returned by `stats()` and `GET /_simulator/stats`. */
export interface SimulatorStats {
  /** Chat completion calls received, faulted ones included. */
  chatCompletions: number;
  streamedChatCompletions: number;
  embeddings: number;
  modelLists: number;
  faultsInjected: number;
  /** Faults injected, by spec. */
  faultsBySpec: Record<string, number>;
  /**
   * What a provider would bill: replies that reached the client whole with their usage (a truncated
   * or faulted reply carries none), and their tokens.
   */
  charged: { chatCompletions: number; promptTokens: number; completionTokens: number };
  /** Scripted faults not yet consumed. */
  pendingFaults: string[];
  /** The most recent model calls (at most 200), oldest first. */
  requests: SimulatorRequestRecord[];
}

/** A listening simulator; `close()` also drops requests held open by the "timeout" fault. */
export interface RunningSimulator {
  /** Base URL ending in `/v1`, ready for the OpenAI SDK's `baseURL`. */
  url: string;
  port: number;
  close(): Promise<void>;
  stats(): SimulatorStats;
}

/** A fault the simulator can inject into a model call. */
export type Fault =
  | { spec: string; kind: 'status'; status: number; retryAfterMs?: number }
  | { spec: string; kind: 'timeout' }
  | { spec: string; kind: 'reset' }
  | { spec: string; kind: 'truncate' }
  | { spec: string; kind: 'bad-tool-json' };

/**
 * Parse a fault spec: `timeout` (never answer), `reset` (drop the connection), `truncate` (the reply
 * stops halfway: a stream without its finish, usage and [DONE], a JSON body cut short),
 * `bad-tool-json` (a reply with tool calls carries malformed JSON arguments; charged like any reply),
 * or an HTTP status `400`–`599`, optionally `429:<ms>` to send `retry-after-ms: <ms>` (plus
 * `Retry-After` rounded up to seconds). A bare `429` sends only `Retry-After: 1`, the header real
 * providers send.
 */
export function parseFault(spec: string): Fault | undefined {
  if (spec === 'timeout') return { spec, kind: 'timeout' };
  if (spec === 'reset') return { spec, kind: 'reset' };
  if (spec === 'truncate') return { spec, kind: 'truncate' };
  if (spec === 'bad-tool-json') return { spec, kind: 'bad-tool-json' };
  const m = /^([45]\d\d)(?::(\d{1,6}))?$/.exec(spec);
  if (!m) return undefined;
  return { spec, kind: 'status', status: Number(m[1]), ...(m[2] !== undefined ? { retryAfterMs: Number(m[2]) } : {}) };
}

/** Parse fault rates ({spec: rate}); throws with a message naming what is wrong. */
export function parseFaultRates(rates: unknown): Array<{ fault: Fault; rate: number }> {
  if (!isRecord(rates)) throw new Error('Fault rates must be an object of spec to rate, e.g. {"500": 0.1, "truncate": 0.05}.');
  const parsed = Object.entries(rates).map(([spec, rate]) => {
    const fault = parseFault(spec);
    if (!fault) throw new Error(`Unknown fault "${spec}"; use "timeout", "reset", "truncate", "bad-tool-json", a 4xx/5xx status, or "429:<ms>".`);
    if (typeof rate !== 'number' || !Number.isFinite(rate) || rate < 0 || rate > 1) throw new Error(`The rate of "${spec}" must be a number from 0 to 1.`);
    return { fault, rate };
  });
  if (parsed.reduce((sum, { rate }) => sum + rate, 0) > 1 + 1e-9) throw new Error('Fault rates add up to more than 1.');
  return parsed;
}

/** mulberry32: a small seeded generator, so fault draws replay. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const MAX_BODY_BYTES = 20 * 1024 * 1024;
const MAX_RECORDS = 200;

/**
 * Start the OpenAI-compatible simulator: `/v1/chat/completions` (JSON and SSE), `/v1/embeddings`, `/v1/models`,
 * the same model routes under Azure's `/openai/deployments/{deployment}/...`, and test controls under
 * `/_simulator/` (`POST faults {faults: [...]}` scripts one fault per chat call, `GET stats`, `POST reset`).
 * Replies are deterministic functions of the messages (see simulateReply); any model name is accepted and echoed.
 */
export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const host = options.host ?? '127.0.0.1';
  let stats = freshStats();
  let faultQueue: Fault[] = [];
  let faultRates = options.faultRates ? parseFaultRates(options.faultRates) : [];
  let random = seededRandom(options.faultSeed ?? 1);
  /** A fault drawn by the configured rates, or none. */
  const drawFault = (): Fault | undefined => {
    if (faultRates.length === 0) return undefined;
    let r = random();
    for (const { fault, rate } of faultRates) {
      if (r < rate) return fault;
      r -= rate;
    }
    return undefined;
  };
  // Hashes of message-list prefixes already answered, to report prompt caching the way OpenAI does.
  const seenPrefixes = new Set<number>();

  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      const status = error instanceof HttpError ? error.status : 500;
      if (!res.headersSent) sendError(res, status, error instanceof Error ? error.message : String(error));
      else res.end();
    });
  });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://simulator');
    const path = url.pathname.replace(/\/+$/, '');
    const method = req.method ?? 'GET';
    const azure = /^\/openai\/deployments\/([^/]+)\/(chat\/completions|embeddings)$/.exec(path);
    const endpoint = azure ? `/${azure[2]}` : path.replace(/^\/v1(?=\/)/, '');
    const deployment = azure ? decodeURIComponent(azure[1]!) : undefined;

    if (method === 'GET' && (path === '/healthz' || path === '/health')) return sendJson(res, 200, { ok: true });
    if (path === '/_simulator/stats' && method === 'GET') return sendJson(res, 200, snapshot());
    if (path === '/_simulator/reset' && method === 'POST') {
      stats = freshStats();
      faultQueue = [];
      faultRates = [];
      seenPrefixes.clear();
      return sendJson(res, 200, { ok: true });
    }
    if (path === '/_simulator/faults' && method === 'POST') {
      const body = await readJson(req);
      const specs: unknown = isRecord(body) ? body['faults'] : undefined;
      const rates: unknown = isRecord(body) ? body['rates'] : undefined;
      if (!Array.isArray(specs) && rates === undefined) throw new HttpError(400, 'Body must be {"faults": ["429", "500", "timeout", ...]} and/or {"rates": {"500": 0.1}, "seed": 1}.');
      if (Array.isArray(specs)) {
        const parsed = specs.map((s) => (typeof s === 'string' ? parseFault(s) : undefined));
        const bad = specs.filter((_, i) => parsed[i] === undefined);
        if (bad.length > 0) throw new HttpError(400, `Unknown fault(s) ${JSON.stringify(bad)}; use "timeout", "reset", "truncate", "bad-tool-json", a 4xx/5xx status, or "429:<ms>".`);
        faultQueue = parsed as Fault[];
      }
      if (rates !== undefined) {
        try {
          faultRates = parseFaultRates(rates);
        } catch (error) {
          throw new HttpError(400, (error as Error).message);
        }
        const seed = isRecord(body) ? body['seed'] : undefined;
        random = seededRandom(typeof seed === 'number' && Number.isFinite(seed) ? seed : (options.faultSeed ?? 1));
      }
      return sendJson(res, 200, { pendingFaults: faultQueue.map((f) => f.spec), rates: Object.fromEntries(faultRates.map(({ fault, rate }) => [fault.spec, rate])) });
    }
    if (endpoint === '/models' && method === 'GET') {
      stats.modelLists += 1;
      const created = 1_700_000_000;
      const data = ['gpt-4o-mini', 'gpt-4o', 'text-embedding-3-small'].map((id) => ({ id, object: 'model', created, owned_by: 'switchyard-simulator' }));
      return sendJson(res, 200, { object: 'list', data });
    }
    if (endpoint === '/chat/completions' && method === 'POST') return chat(req, res, deployment);
    if (endpoint === '/embeddings' && method === 'POST') return embeddings(req, res, deployment);
    throw new HttpError(404, `No route ${method} ${path}.`);
  }

  async function chat(req: IncomingMessage, res: ServerResponse, deployment: string | undefined): Promise<void> {
    const body = await readJson(req);
    if (!isRecord(body) || !Array.isArray(body['messages']) || body['messages'].length === 0 || !body['messages'].every(isRecord)) {
      throw new HttpError(400, "'messages' must be a non-empty array of message objects.");
    }
    const request = body as unknown as WireChatRequest;
    const model = deployment ?? (typeof request.model === 'string' ? request.model : 'gpt-4o-mini');
    const stream = request.stream === true;
    stats.chatCompletions += 1;
    if (stream) stats.streamedChatCompletions += 1;
    let fault = requestFault(req) ?? faultQueue.shift() ?? drawFault();
    const simulated = simulateReply(request);
    // Malformed arguments need a reply with tool calls; without one the draw is no fault.
    if (fault?.kind === 'bad-tool-json' && simulated.toolCalls.length === 0) fault = undefined;
    record(req, { endpoint: 'chat', model, stream, azure: deployment !== undefined, ...(fault ? { fault: fault.spec } : {}) });
    if (await injectFault(req, res, fault)) return;
    const truncate = fault?.kind === 'truncate';
    // A comma where the closing brace was: JSON no parser accepts, as a model cut off mid-call writes.
    const reply: SimulatedReply =
      fault?.kind === 'bad-tool-json' ? { ...simulated, toolCalls: simulated.toolCalls.map((c, i) => (i === 0 ? { ...c, arguments: `${c.arguments.replace(/\}\s*$/, '')},` } : c)) } : simulated;
    const promptTokens = countPromptTokens(request);
    const cachedTokens = cachedPromptTokens(request.messages);
    const completionTokens = countTokens(reply.content ?? '') + reply.toolCalls.reduce((n, c) => n + countTokens(c.name) + countTokens(c.arguments), 0);
    const usage = {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
      prompt_tokens_details: { cached_tokens: cachedTokens },
      completion_tokens_details: { reasoning_tokens: 0 },
    };
    const omitUsage = options.omitUsage === true || req.headers['x-simulator-omit-usage'] === 'true';
    const id = `chatcmpl-sim-${randomUUID()}`;
    const created = Math.floor(Date.now() / 1000);
    const charge = () => {
      if (options.journal) {
        appendFileSync(options.journal, `${JSON.stringify({ id, model, promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens, at: new Date().toISOString() })}\n`);
      }
      stats.charged.chatCompletions += 1;
      stats.charged.promptTokens += usage.prompt_tokens;
      stats.charged.completionTokens += usage.completion_tokens;
    };
    if (!stream) {
      const toolCalls = reply.toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } }));
      const message = { role: 'assistant', content: reply.content, refusal: null, ...(toolCalls.length ? { tool_calls: toolCalls } : {}) };
      const body = {
        id, object: 'chat.completion', created, model, system_fingerprint: 'fp_simulator',
        choices: [{ index: 0, message, finish_reason: reply.finishReason, logprobs: null }],
        ...(omitUsage ? {} : { usage }),
      };
      if (truncate) {
        const text = JSON.stringify(body);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(text.slice(0, Math.floor(text.length / 2)));
        return;
      }
      if (!omitUsage) charge();
      return sendJson(res, 200, body);
    }
    const includeUsage = request.stream_options?.include_usage === true && !omitUsage;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-request-id': id });
    const base = { id, object: 'chat.completion.chunk', created, model, system_fingerprint: 'fp_simulator', ...(includeUsage ? { usage: null } : {}) };
    const send = (delta: Record<string, unknown>, finishReason: string | null = null) =>
      res.write(`data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta, finish_reason: finishReason, logprobs: null }] })}\n\n`);
    const chunkDelay = headerMs(req, 'x-simulator-chunk-delay-ms') ?? options.chunkDelayMs ?? 0;
    let clientGone = false;
    res.once('close', () => (clientGone = true));
    send({ role: 'assistant', content: reply.toolCalls.length ? null : '', refusal: null });
    const pieces = [...streamPieces(reply)];
    for (const [index, piece] of pieces.entries()) {
      if (clientGone) return;
      // Truncated: the connection ends cleanly halfway, with no finish reason, usage or [DONE].
      if (truncate && index >= Math.floor(pieces.length / 2)) {
        res.end();
        return;
      }
      send(piece);
      if (chunkDelay > 0) await sleep(chunkDelay);
    }
    if (truncate) {
      res.end();
      return;
    }
    send({}, reply.finishReason);
    if (includeUsage) {
      charge();
      res.write(`data: ${JSON.stringify({ ...base, choices: [], usage })}\n\n`);
    }
    res.end('data: [DONE]\n\n');
  }

  async function embeddings(req: IncomingMessage, res: ServerResponse, deployment: string | undefined): Promise<void> {
    const body = await readJson(req);
    const input = isRecord(body) ? body['input'] : undefined;
    const texts = typeof input === 'string' ? [input] : Array.isArray(input) ? input.map((i) => (Array.isArray(i) ? i.join(' ') : String(i))) : undefined;
    if (!isRecord(body) || !texts || texts.length === 0) throw new HttpError(400, "'input' must be a string or a non-empty array of strings.");
    const model = deployment ?? (typeof body['model'] === 'string' ? body['model'] : 'text-embedding-3-small');
    const dims = body['dimensions'];
    if (dims !== undefined && (typeof dims !== 'number' || !Number.isInteger(dims) || dims < 1 || dims > 8192)) throw new HttpError(400, "'dimensions' must be an integer from 1 to 8192.");
    stats.embeddings += 1;
    const fault = requestFault(req);
    record(req, { endpoint: 'embeddings', model, stream: false, azure: deployment !== undefined, ...(fault ? { fault: fault.spec } : {}) });
    if (await injectFault(req, res, fault)) return;
    const base64 = body['encoding_format'] === 'base64';
    const data = texts.map((text, index) => {
      const vector = embedText(text, typeof dims === 'number' ? dims : DEFAULT_EMBEDDING_DIMENSIONS);
      return { object: 'embedding', index, embedding: base64 ? toBase64Float32(vector) : vector };
    });
    const tokens = texts.reduce((n, t) => n + countTokens(t), 0);
    sendJson(res, 200, { object: 'list', data, model, usage: { prompt_tokens: tokens, total_tokens: tokens } });
  }

  function requestFault(req: IncomingMessage): Fault | undefined {
    const header = req.headers['x-simulator-fault'];
    if (typeof header !== 'string' || header === '') return undefined;
    const fault = parseFault(header);
    if (!fault) throw new HttpError(400, `Unknown x-simulator-fault "${header}".`);
    return fault;
  }

  /** Waits the configured latency, then plays the fault; true when the response is taken care of. */
  async function injectFault(req: IncomingMessage, res: ServerResponse, fault: Fault | undefined): Promise<boolean> {
    const latency = headerMs(req, 'x-simulator-latency-ms') ?? options.latencyMs ?? 0;
    if (fault?.kind !== 'timeout' && latency > 0) await sleep(latency);
    if (!fault) return false;
    stats.faultsInjected += 1;
    stats.faultsBySpec[fault.spec] = (stats.faultsBySpec[fault.spec] ?? 0) + 1;
    // Played by the reply itself.
    if (fault.kind === 'truncate' || fault.kind === 'bad-tool-json') return false;
    if (fault.kind === 'timeout') return true; // never answer; close() or the client hangs up
    if (fault.kind === 'reset') {
      req.socket.destroy();
      return true;
    }
    const headers: Record<string, string> = {};
    if (fault.retryAfterMs !== undefined) {
      headers['retry-after-ms'] = String(fault.retryAfterMs);
      headers['retry-after'] = String(Math.max(1, Math.ceil(fault.retryAfterMs / 1000)));
    } else if (fault.status === 429) {
      headers['retry-after'] = '1';
    }
    const message = fault.status === 429 ? 'Rate limit reached (simulated).' : `Simulated failure with status ${fault.status}.`;
    sendError(res, fault.status, message, headers);
    return true;
  }

  function record(req: IncomingMessage, entry: Omit<SimulatorRequestRecord, 'at' | 'auth'>): void {
    const auth = req.headers['api-key'] ? 'api-key' : /^bearer\s/i.test(req.headers.authorization ?? '') ? 'bearer' : 'none';
    stats.requests.push({ at: Date.now(), auth, ...entry });
    if (stats.requests.length > MAX_RECORDS) stats.requests.shift();
  }

  /** OpenAI reports cached tokens for repeated prompt prefixes of 1024+ tokens, in 128-token steps. */
  function cachedPromptTokens(messages: WireMessage[]): number {
    let cached = 0;
    let tokens = 3;
    const prefixHashes: number[] = [];
    messages.forEach((m, i) => {
      tokens += messageTokens(m);
      const hash = fnv1a(JSON.stringify(messages.slice(0, i + 1)));
      prefixHashes.push(hash);
      if (seenPrefixes.has(hash)) cached = tokens >= 1024 ? Math.floor(tokens / 128) * 128 : 0;
    });
    if (seenPrefixes.size > 50_000) seenPrefixes.clear();
    for (const h of prefixHashes) seenPrefixes.add(h);
    return cached;
  }

  function snapshot(): SimulatorStats {
    return { ...stats, faultsBySpec: { ...stats.faultsBySpec }, charged: { ...stats.charged }, pendingFaults: faultQueue.map((f) => f.spec), requests: [...stats.requests] };
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/v1`,
    port,
    stats: snapshot,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections(); // requests held open by the "timeout" fault
      }),
  };
}

function freshStats(): SimulatorStats {
  return { chatCompletions: 0, streamedChatCompletions: 0, embeddings: 0, modelLists: 0, faultsInjected: 0, faultsBySpec: {}, charged: { chatCompletions: 0, promptTokens: 0, completionTokens: 0 }, pendingFaults: [], requests: [] };
}

/** Tokens of one message: 3 for the role framing, plus content, name and any tool calls. */
function messageTokens(m: WireMessage): number {
  const calls = (m.tool_calls ?? []).reduce((n, c) => n + countTokens(c.function?.name ?? '') + countTokens(c.function?.arguments ?? ''), 0);
  return 3 + countTokens(textOf(m)) + (m.name ? 1 : 0) + calls;
}

/** Prompt tokens: every message, 3 tokens priming the reply, and the tool definitions as JSON text. */
function countPromptTokens(request: WireChatRequest): number {
  const tools = request.tools?.length ? countTokens(JSON.stringify(request.tools)) : 0;
  return request.messages.reduce((n, m) => n + messageTokens(m), 3) + tools;
}

/** Content split after each whitespace run, tool-call arguments in 16-character slices: many small deltas. */
function* streamPieces(reply: SimulatedReply): Generator<Record<string, unknown>> {
  for (const word of (reply.content ?? '').split(/(?<=\s)/)) if (word) yield { content: word };
  for (const [index, call] of reply.toolCalls.entries()) {
    yield { tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }] };
    for (let i = 0; i < call.arguments.length; i += 16) yield { tool_calls: [{ index, function: { arguments: call.arguments.slice(i, i + 16) } }] };
  }
}

/** A millisecond count from a request header, capped at 10 minutes; undefined when absent or not a number. */
function headerMs(req: IncomingMessage, name: string): number | undefined {
  const raw = req.headers[name];
  const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
  return Number.isFinite(value) && value >= 0 ? Math.min(value, 600_000) : undefined;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, 'Request body too large.');
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null');
  } catch {
    throw new HttpError(400, 'Request body is not valid JSON.');
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...headers });
  res.end(payload);
}

function sendError(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  const type = status === 429 ? 'rate_limit_exceeded' : status >= 500 ? 'server_error' : status === 401 ? 'authentication_error' : 'invalid_request_error';
  sendJson(res, status, { error: { message, type, param: null, code: status === 429 ? 'rate_limit_exceeded' : null } }, headers);
}
