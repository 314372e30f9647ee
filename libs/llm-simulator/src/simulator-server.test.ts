import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { embedText } from './embeddings.ts';
import { startSimulator, type RunningSimulator } from './simulator-server.ts';

let sim: RunningSimulator;
let origin: string;
beforeAll(async () => {
  sim = await startSimulator({ port: 0 });
  origin = new URL(sim.url).origin;
});
afterAll(() => sim.close());
beforeEach(() => fetch(`${origin}/_simulator/reset`, { method: 'POST' }));

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${origin}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
const hello = { model: 'my-model', messages: [{ role: 'user', content: 'Say hello to the team' }] };

describe('simulator server', () => {
  it('starts on a free port and serves /v1/models', async () => {
    expect(sim.port).toBeGreaterThan(0);
    expect(sim.url).toBe(`http://127.0.0.1:${sim.port}/v1`);
    const models = (await (await fetch(`${sim.url}/models`)).json()) as { data: Array<{ id: string }> };
    expect(models.data.map((m) => m.id)).toContain('gpt-4o-mini');
  });

  it('answers chat completions in the OpenAI shape with usage, echoing the model', async () => {
    const body = (await (await post('/v1/chat/completions', hello)).json()) as { usage: Record<string, number> };
    expect(body).toMatchObject({ object: 'chat.completion', model: 'my-model', choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant' } }] });
    expect(body.usage['prompt_tokens']).toBe(3 + 3 + 5); // priming + message framing + 5 words
    expect(body.usage['total_tokens']).toBe(body.usage['prompt_tokens']! + body.usage['completion_tokens']!);
  });

  it('leaves usage out when a call asks for it with x-simulator-omit-usage, streamed or not', async () => {
    const plain = (await (await post('/v1/chat/completions', hello, { 'x-simulator-omit-usage': 'true' })).json()) as Record<string, unknown>;
    expect(plain['choices']).toHaveLength(1);
    expect(plain).not.toHaveProperty('usage');
    const streamed = await (await post('/v1/chat/completions', { ...hello, stream: true, stream_options: { include_usage: true } }, { 'x-simulator-omit-usage': 'true' })).text();
    expect(streamed).toContain('data: [DONE]');
    expect(streamed).not.toContain('"usage"');
  });

  it('streams SSE chunks ending in [DONE], with a usage chunk only when asked', async () => {
    const events = async (extra: Record<string, unknown>) =>
      (await (await post('/v1/chat/completions', { ...hello, stream: true, ...extra })).text()).split('\n\n').filter(Boolean);
    const withUsage = await events({ stream_options: { include_usage: true } });
    expect(withUsage.every((e) => e.startsWith('data: '))).toBe(true);
    expect(withUsage.at(-1)).toBe('data: [DONE]');
    const usageChunk = JSON.parse(withUsage.at(-2)!.slice(6));
    expect(usageChunk.choices).toEqual([]);
    expect(usageChunk.usage.completion_tokens).toBeGreaterThan(0);
    const chunks = withUsage.slice(0, -2).map((e) => JSON.parse(e.slice(6)));
    const text = chunks.map((c) => c.choices[0].delta.content ?? '').join('');
    const whole = (await (await post('/v1/chat/completions', hello)).json()) as { choices: Array<{ message: { content: string } }> };
    expect(text).toBe(whole.choices[0]!.message.content);
    expect(chunks.at(-1).choices[0].finish_reason).toBe('stop');
    const without = await events({});
    expect(without.some((e) => e.includes('"usage":{'))).toBe(false);
  });

  it('serves Azure deployment paths and records the auth style', async () => {
    const res = await post('/openai/deployments/prod-gpt/chat/completions?api-version=2024-10-21', hello, { 'api-key': 'k' });
    expect(((await res.json()) as { model: string }).model).toBe('prod-gpt');
    const emb = await post('/openai/deployments/embedder/embeddings?api-version=2024-10-21', { input: 'x' }, { authorization: 'Bearer t' });
    expect(((await emb.json()) as { model: string }).model).toBe('embedder');
    expect(sim.stats().requests.map((r) => [r.endpoint, r.azure, r.auth])).toEqual([
      ['chat', true, 'api-key'],
      ['embeddings', true, 'bearer'],
    ]);
  });

  it('returns float or base64 embeddings, with the requested dimensions', async () => {
    const floats = (await (await post('/v1/embeddings', { model: 'e', input: ['alpha beta', 'gamma'], dimensions: 64 })).json()) as { data: Array<{ embedding: number[] }> };
    expect(floats.data.map((d) => d.embedding.length)).toEqual([64, 64]);
    const b64 = (await (await post('/v1/embeddings', { input: 'alpha beta', encoding_format: 'base64' })).json()) as { data: Array<{ embedding: string }> };
    const decoded = Array.from(new Float32Array(new Uint8Array(Buffer.from(b64.data[0]!.embedding, 'base64')).buffer));
    expect(decoded).toHaveLength(256);
    decoded.forEach((v, i) => expect(v).toBeCloseTo(embedText('alpha beta')[i]!, 6));
  });

  it('injects scripted faults one per chat call, with Retry-After headers, and counts them', async () => {
    expect((await post('/_simulator/faults', { faults: ['nope'] })).status).toBe(400);
    await post('/_simulator/faults', { faults: ['429', '429:150', '503'] });
    const first = await post('/v1/chat/completions', hello);
    expect([first.status, first.headers.get('retry-after'), first.headers.get('retry-after-ms')]).toEqual([429, '1', null]);
    const second = await post('/v1/chat/completions', hello);
    expect([second.status, second.headers.get('retry-after'), second.headers.get('retry-after-ms')]).toEqual([429, '1', '150']);
    expect((await post('/v1/chat/completions', hello)).status).toBe(503);
    expect((await post('/v1/chat/completions', hello)).status).toBe(200);
    expect(sim.stats()).toMatchObject({ chatCompletions: 4, faultsInjected: 3, pendingFaults: [] });
  });

  it('draws faults at the configured rates from a seed, so the same seed replays the same faults', async () => {
    expect((await post('/_simulator/faults', { rates: { '500': 0.6, '429': 0.6 } })).status).toBe(400);
    expect((await post('/_simulator/faults', { rates: { nope: 0.1 } })).status).toBe(400);
    const draw = async (seed: number) => {
      await fetch(`${origin}/_simulator/reset`, { method: 'POST' });
      await post('/_simulator/faults', { rates: { '500': 0.2, '429:10': 0.1 }, seed });
      const statuses: number[] = [];
      for (let i = 0; i < 200; i++) statuses.push((await post('/v1/chat/completions', hello)).status);
      return statuses;
    };
    const first = await draw(7);
    expect(await draw(7)).toEqual(first);
    const other = await draw(8);
    expect(other).not.toEqual(first);
    const share = (status: number) => first.filter((s) => s === status).length / first.length;
    expect(share(500)).toBeGreaterThan(0.1);
    expect(share(500)).toBeLessThan(0.3);
    expect(share(429)).toBeGreaterThan(0.03);
    expect(share(429)).toBeLessThan(0.2);
    // Only whole replies with usage are charged.
    const { charged, faultsBySpec } = sim.stats();
    expect(charged.chatCompletions).toBe(other.filter((s) => s === 200).length);
    expect((faultsBySpec['500'] ?? 0) + (faultsBySpec['429:10'] ?? 0)).toBe(other.filter((s) => s !== 200).length);
  });

  it('truncates replies halfway, streamed or not, and charges nothing for them', async () => {
    const json = await post('/v1/chat/completions', hello, { 'x-simulator-fault': 'truncate' });
    expect(json.status).toBe(200);
    const text = await json.text();
    expect(() => JSON.parse(text) as unknown).toThrow();
    const streamed = await (await post('/v1/chat/completions', { ...hello, stream: true, stream_options: { include_usage: true } }, { 'x-simulator-fault': 'truncate' })).text();
    expect(streamed).not.toContain('[DONE]');
    expect(streamed).not.toContain('"finish_reason":"stop"');
    expect(streamed).not.toContain('"usage":{');
    expect(sim.stats().charged.chatCompletions).toBe(0);
  });

  it('sends malformed tool-call arguments, charged like any reply, and leaves replies without tool calls alone', async () => {
    const weather = { type: 'function', function: { name: 'get_weather', description: 'Current weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } };
    const ask = { messages: [{ role: 'user', content: 'What is the weather in Porto Alegre?' }], tools: [weather] };
    const bad = (await (await post('/v1/chat/completions', ask, { 'x-simulator-fault': 'bad-tool-json' })).json()) as { choices: Array<{ message: { tool_calls: Array<{ function: { arguments: string } }> } }> };
    const args = bad.choices[0]!.message.tool_calls[0]!.function.arguments;
    expect(() => JSON.parse(args) as unknown).toThrow();
    expect(args).toContain('Porto Alegre');
    expect((await post('/v1/chat/completions', hello, { 'x-simulator-fault': 'bad-tool-json' })).status).toBe(200);
    expect(sim.stats()).toMatchObject({ faultsInjected: 1, charged: { chatCompletions: 2 } });
  });

  it('applies per-request faults and latency from headers', async () => {
    expect((await post('/v1/embeddings', { input: 'x' }, { 'x-simulator-fault': '500' })).status).toBe(500);
    const started = Date.now();
    await post('/v1/chat/completions', hello, { 'x-simulator-latency-ms': '120' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(115);
    await expect(post('/v1/chat/completions', hello, { 'x-simulator-fault': 'reset' })).rejects.toThrow();
  });

  it('spreads streamed chunks over time when asked', async () => {
    const started = Date.now();
    const res = await post('/v1/chat/completions', { ...hello, stream: true }, { 'x-simulator-chunk-delay-ms': '20' });
    const headersAfter = Date.now() - started;
    const chunks = (await res.text()).split('\n\n').filter(Boolean).length;
    expect(headersAfter).toBeLessThan(100);
    expect(Date.now() - started).toBeGreaterThanOrEqual((chunks - 4) * 20);
  });

  it('never answers a "timeout" fault, and close() still returns', async () => {
    const other = await startSimulator();
    const pending = fetch(`${other.url}/chat/completions`, { method: 'POST', headers: { 'x-simulator-fault': 'timeout' }, body: JSON.stringify(hello) });
    const outcome = await Promise.race([pending.then(() => 'answered', () => 'failed'), new Promise((r) => setTimeout(() => r('waiting'), 200))]);
    expect(outcome).toBe('waiting');
    await other.close();
    expect(await pending.then(() => 'answered', () => 'failed')).toBe('failed');
  });

  it('rejects malformed requests with OpenAI-style errors', async () => {
    const res = await post('/v1/chat/completions', { messages: [] });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { type: string } }).error.type).toBe('invalid_request_error');
    expect((await fetch(`${origin}/v1/nope`)).status).toBe(404);
  });

  it('reports cached prompt tokens for a repeated long prefix, in 128-token steps', async () => {
    const system = { role: 'system', content: 'policy '.repeat(1100) };
    const ask = async (q: string) =>
      ((await (await post('/v1/chat/completions', { messages: [system, { role: 'user', content: q }] })).json()) as { usage: { prompt_tokens_details: { cached_tokens: number } } }).usage.prompt_tokens_details.cached_tokens;
    expect(await ask('first question')).toBe(0);
    const cached = await ask('second question');
    expect(cached).toBeGreaterThanOrEqual(1024);
    expect(cached % 128).toBe(0);
  });
});

describe('simulator journal', () => {
  it('appends each charged chat completion (its response id, model and tokens) and nothing for uncharged ones', async () => {
    const { mkdtempSync, readFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const journal = join(mkdtempSync(join(tmpdir(), 'sim-journal-')), 'charged.jsonl');
    const journaled = await startSimulator({ port: 0, journal });
    try {
      const at = new URL(journaled.url).origin;
      const call = (body: unknown, headers: Record<string, string> = {}) =>
        fetch(`${at}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
      const plain = (await (await call(hello)).json()) as { id: string; usage: { prompt_tokens: number; completion_tokens: number } };
      const streamed = await (await call({ ...hello, stream: true, stream_options: { include_usage: true } })).text();
      await (await call(hello, { 'x-simulator-fault': 'truncate' })).text();
      await (await call(hello, { 'x-simulator-fault': '500' })).text();
      const lines = readFileSync(journal, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { id: string; model: string; promptTokens: number; completionTokens: number });
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatchObject({ id: plain.id, model: 'my-model', promptTokens: plain.usage.prompt_tokens, completionTokens: plain.usage.completion_tokens });
      expect(streamed).toContain(lines[1]!.id);
    } finally {
      await journaled.close();
    }
  });
});
