import { startSimulator, type RunningSimulator } from '@switchyard/llm-simulator';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createLlmClient } from './llm-client.ts';
import { LlmError } from './llm-error.ts';
import type { ChatRequest, LlmConfig, LlmCommonConfig } from './types.ts';

let sim: RunningSimulator;
let origin: string;
beforeAll(async () => {
  sim = await startSimulator({ port: 0 });
  origin = new URL(sim.url).origin;
});
afterAll(() => sim.close());
beforeEach(() => fetch(`${origin}/_simulator/reset`, { method: 'POST' }));

const fast: LlmCommonConfig = { maxRetries: 2, retryBaseDelayMs: 20, retryMaxDelayMs: 80, timeoutMs: 5_000 };
const simulator = (overrides: Partial<LlmCommonConfig> = {}) => createLlmClient({ provider: 'simulator', baseUrl: sim.url, ...fast, ...overrides });
const scriptFaults = (faults: string[]) => fetch(`${origin}/_simulator/faults`, { method: 'POST', body: JSON.stringify({ faults }) });
/** Every HTTP call is a separate attempt in the simulator's log; these are their arrival times. */
const chatArrivals = () => sim.stats().requests.filter((r) => r.endpoint === 'chat').map((r) => r.at);
const ask = (content: string): ChatRequest => ({ messages: [{ role: 'user', content }] });
const rejection = async (promise: Promise<unknown>): Promise<LlmError> => {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(LlmError);
  return error as LlmError;
};

const claimArgs = z.object({
  claimNumber: z.string().regex(/^\d+$/),
  amount: z.number().positive(),
  priority: z.enum(['low', 'normal', 'urgent']),
  notify: z.boolean().optional(),
});
const tools = [
  { name: 'search_policies', description: 'Search insurance policy documents', parameters: { type: 'object', properties: { query: { type: 'string' } }, required: ['query'] } },
  { name: 'file_claim', description: 'File an insurance claim for an amount', parameters: z.toJSONSchema(claimArgs) as Record<string, unknown> },
];
const claimRequest: ChatRequest = { messages: [{ role: 'system', content: 'You handle claims.' }, { role: 'user', content: 'Please file claim #48213 for $1,250.50, it is urgent.' }], tools };

describe('LlmClient against the simulator (real openai SDK over HTTP)', () => {
  it('chat returns simulated content, the requested model, usage, latency and the response id', async () => {
    const result = await simulator().chat({ ...ask('Summarize the onboarding checklist for new engineers.'), model: 'gpt-4o' });
    expect(result.content).toMatch(/^\[simulated\].*onboarding checklist/);
    expect(result).toMatchObject({ toolCalls: [], finishReason: 'stop', model: 'gpt-4o', attempts: 1 });
    expect(result.responseId).toMatch(/^chatcmpl-/);
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
    expect(result.usage.inputTokens).toBe(3 + 3 + 8); // reply priming + message framing + 7 words and a full stop
    expect(result.usage.outputTokens).toBeGreaterThan(10);
    expect(result.usage.cachedTokens).toBe(0);
  });

  it('chatStream delivers deltas that concatenate to the same content and usage as chat', async () => {
    const request = ask('Explain how the billing cycle works.');
    const deltas: string[] = [];
    const streamed = await simulator().chatStream(request, { onToken: (d) => deltas.push(d) });
    const plain = await simulator().chat(request);
    expect(deltas.length).toBeGreaterThan(5);
    expect(deltas.join('')).toBe(streamed.content);
    expect(streamed.content).toBe(plain.content);
    expect(streamed.usage).toEqual(plain.usage);
    expect(streamed.finishReason).toBe('stop');
    expect(sim.stats().streamedChatCompletions).toBe(1);
  });

  it('returns a tool call whose arguments satisfy the tool schema, streamed or not, then answers from the result', async () => {
    const client = simulator();
    for (const result of [await client.chat(claimRequest), await client.chatStream(claimRequest)]) {
      expect(result.finishReason).toBe('tool_calls');
      expect(result.content).toBeNull();
      expect(result.toolCalls).toHaveLength(1);
      expect(result.toolCalls[0]!.name).toBe('file_claim');
      expect(claimArgs.parse(JSON.parse(result.toolCalls[0]!.arguments))).toMatchObject({ claimNumber: '48213', amount: 1250.5, priority: 'urgent' });
    }
    const call = (await client.chat(claimRequest)).toolCalls[0]!;
    const final = await client.chat({
      ...claimRequest,
      messages: [...claimRequest.messages, { role: 'assistant', content: null, toolCalls: [call] }, { role: 'tool', toolCallId: call.id, content: '{"status":"filed","ref":"R-1"}' }],
    });
    expect(final.toolCalls).toEqual([]);
    expect(final.content).toContain('file_claim returned {"status":"filed","ref":"R-1"}');
  });

  it('honours toolChoice none and a named tool', async () => {
    expect((await simulator().chat({ ...claimRequest, toolChoice: 'none' })).toolCalls).toEqual([]);
    expect((await simulator().chat({ ...claimRequest, toolChoice: { name: 'search_policies' } })).toolCalls[0]?.name).toBe('search_policies');
  });

  it('json_schema output parses against the schema; json_object output is an object', async () => {
    const triage = z.object({ claimNumber: z.string(), amount: z.number(), category: z.enum(['fire', 'water', 'theft']), summary: z.string() });
    const result = await simulator().chat({
      ...ask('Triage: claim #7781, burst pipe water damage, estimate $900.'),
      responseFormat: { type: 'json_schema', name: 'triage', schema: z.toJSONSchema(triage) as Record<string, unknown>, strict: true },
    });
    expect(triage.parse(JSON.parse(result.content!))).toMatchObject({ claimNumber: '7781', amount: 900, category: 'water' });
    const object = await simulator().chat({ ...ask('Extract the claim number and amount from: claim #55 for $12.'), responseFormat: { type: 'json_object' } });
    expect(JSON.parse(object.content!)).toEqual({ claimNumber: '55', amount: 12 });
  });

  it('reports cached prompt tokens when a long prefix repeats', async () => {
    const system = { role: 'system' as const, content: 'Policy clause. '.repeat(400) };
    const first = await simulator().chat({ messages: [system, { role: 'user', content: 'Question one?' }] });
    const second = await simulator().chat({ messages: [system, { role: 'user', content: 'Question two?' }] });
    expect(first.usage.cachedTokens).toBe(0);
    expect(second.usage.cachedTokens).toBeGreaterThanOrEqual(1024);
    expect(second.usage.cachedTokens).toBeLessThanOrEqual(second.usage.inputTokens);
  });

  it('maxTokens truncates with finish reason "length" (max_completion_tokens for openai/simulator, max_tokens for compatible servers)', async () => {
    const viaCompatible = createLlmClient({ provider: 'openai-compatible', baseUrl: sim.url, ...fast });
    const viaOpenAi = createLlmClient({ provider: 'openai', apiKey: 'sk-test', baseUrl: sim.url, ...fast });
    for (const client of [simulator(), viaCompatible, viaOpenAi]) {
      const result = await client.chat({ ...ask('Describe the deployment pipeline in detail.'), maxTokens: 5 });
      expect(result).toMatchObject({ finishReason: 'length', usage: { outputTokens: 5 } });
    }
  });

  it('embed ranks a relevant text above an unrelated one', async () => {
    const { vectors, model, inputTokens } = await simulator().embed([
      'How do I reset my password?',
      'To reset your password, open account settings and choose "reset password".',
      'The cafeteria serves lasagna on Thursdays.',
    ]);
    const cosine = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * b[i]!, 0);
    expect(model).toBe('text-embedding-3-small');
    expect(inputTokens).toBeGreaterThan(0);
    expect(vectors.map((v) => v.length)).toEqual([256, 256, 256]);
    expect(cosine(vectors[0]!, vectors[1]!)).toBeGreaterThan(cosine(vectors[0]!, vectors[2]!) + 0.2);
    expect(await simulator().embed([])).toEqual({ vectors: [], model: 'text-embedding-3-small', inputTokens: 0 });
  });

  it('picks one of the offered speakers, rotating after the last one', async () => {
    const candidates = ['planner', 'coder', 'reviewer'];
    const selector = `Read the above conversation. Then select the next role from ${JSON.stringify(candidates)} to play. Only return the role.`;
    const pick = async (lastSpeaker: string) =>
      (await simulator().chat({ messages: [{ role: 'user', content: 'Ship the feature', name: 'user' }, { role: 'assistant', content: 'On it.', name: lastSpeaker }, { role: 'user', content: selector }] })).content;
    const picks = await Promise.all(candidates.map(pick));
    expect(picks).toEqual(['coder', 'reviewer', 'planner']);
  });

  it('answers code requests with a fenced block and concludes with TERMINATE after a successful run', async () => {
    const code = await simulator().chat(ask('Write python code that prints the first 5 squares.'));
    expect(code.content).toMatch(/```python\n[\s\S]+\n```/);
    const done = await simulator().chat({
      messages: [
        { role: 'user', content: 'Write python code that prints the first 5 squares.' },
        { role: 'assistant', content: code.content },
        { role: 'user', name: 'executor', content: 'exitcode: 0 (execution succeeded)\nCode output: 1 4 9 16 25' },
      ],
    });
    expect(done.content).toMatch(/TERMINATE$/);
  });

  it('is deterministic: the same request gets the same reply', async () => {
    const [a, b] = [await simulator().chat(claimRequest), await simulator().chat(claimRequest)];
    expect(a.toolCalls).toEqual(b.toolCalls);
    const [c, d] = [await simulator().chat(ask('Tell me about Lisbon.')), await simulator().chat(ask('Tell me about Lisbon.'))];
    expect(c.content).toBe(d.content);
    expect(c.responseId).not.toBe(d.responseId); // ids stay unique for idempotent metering
  });
});

describe('retries, timeouts and cancellation', () => {
  it('retries a 429 after the retry-after-ms the server asked for', async () => {
    await scriptFaults(['429:300']);
    const result = await simulator().chat(ask('hello'));
    expect(result.attempts).toBe(2);
    const [first, second] = chatArrivals();
    expect(second! - first!).toBeGreaterThanOrEqual(295); // back-off alone would be ≤ 80 ms
    expect(second! - first!).toBeLessThan(1_000);
  });

  it('retries a 429 after a Retry-After given in seconds', async () => {
    await scriptFaults(['429']);
    const result = await simulator().chatStream(ask('hello'));
    expect(result.attempts).toBe(2);
    const [first, second] = chatArrivals();
    expect(second! - first!).toBeGreaterThanOrEqual(990);
  });

  it('retries 5xx with back-off and succeeds', async () => {
    await scriptFaults(['500', '503']);
    const result = await simulator().chat(ask('hello'));
    expect(result.attempts).toBe(3);
    expect(sim.stats()).toMatchObject({ chatCompletions: 3, faultsInjected: 2 });
  });

  it('gives up after maxRetries with a typed error', async () => {
    const client = createLlmClient({ provider: 'simulator', baseUrl: sim.url, ...fast, maxRetries: 2 });
    await scriptFaults(['500', '500', '500', '500']);
    const failure = await rejection(client.chat(ask('hello')));
    expect(failure).toMatchObject({ kind: 'server', status: 500, attempts: 3, retryable: true });
    expect(sim.stats().pendingFaults).toEqual(['500']);
  });

  it('does not retry client errors, and maps auth failures', async () => {
    await scriptFaults(['400']);
    expect(await rejection(simulator().chat(ask('hello')))).toMatchObject({ kind: 'bad_request', status: 400, attempts: 1 });
    await scriptFaults(['401']);
    expect(await rejection(simulator().chat(ask('hello')))).toMatchObject({ kind: 'auth', status: 401, attempts: 1 });
  });

  it('does not wait out a Retry-After longer than maxRetryAfterMs', async () => {
    await scriptFaults(['429']);
    const started = Date.now();
    expect(await rejection(simulator({ maxRetryAfterMs: 500 }).chat(ask('hello')))).toMatchObject({ kind: 'rate_limited', status: 429, retryAfterMs: 1000, attempts: 1 });
    expect(Date.now() - started).toBeLessThan(500);
  });

  it('times out an unanswered request per attempt, retries, then fails with kind "timeout"', async () => {
    await scriptFaults(['timeout', 'timeout']);
    const started = Date.now();
    const error = await rejection(simulator({ timeoutMs: 150, maxRetries: 1 }).chat(ask('hello')));
    expect(error).toMatchObject({ kind: 'timeout', attempts: 2 });
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(sim.stats().chatCompletions).toBe(2);
  });

  it('recovers from a timed-out attempt and from a dropped connection', async () => {
    await scriptFaults(['timeout', 'reset']);
    const result = await simulator({ timeoutMs: 150 }).chatStream(ask('hello'));
    expect(result.attempts).toBe(3);
    const down = createLlmClient({ provider: 'openai-compatible', baseUrl: 'http://127.0.0.1:9/v1', ...fast, maxRetries: 1 });
    expect(await rejection(down.chat(ask('hello')))).toMatchObject({ kind: 'connection', attempts: 2 });
  });

  it('an AbortSignal rejects promptly with an AbortError, in flight or during back-off, and stops retrying', async () => {
    for (const run of [
      (signal: AbortSignal) => simulator().chat(ask('hello'), { signal }),
      (signal: AbortSignal) => simulator().chatStream(ask('hello'), { signal }),
    ]) {
      await scriptFaults(['timeout']);
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 100);
      const started = Date.now();
      const error = await rejection(run(controller.signal));
      expect(Date.now() - started).toBeLessThan(400);
      expect(error).toMatchObject({ kind: 'aborted', name: 'AbortError' });
    }
    await scriptFaults(['429']); // Retry-After: 1 s — abort lands in the back-off
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 150);
    const started = Date.now();
    expect(await rejection(simulator().chat(ask('hello'), { signal: controller.signal }))).toMatchObject({ kind: 'aborted', attempts: 1 });
    expect(Date.now() - started).toBeLessThan(500);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(sim.stats().chatCompletions).toBe(3); // two in-flight aborts + the 429; nothing after the abort
    await expect(simulator().chat(ask('hello'), { signal: AbortSignal.abort() })).rejects.toMatchObject({ kind: 'aborted', attempts: 0 });
  });
});

describe('streams that arrive slowly', () => {
  let slow: RunningSimulator;
  beforeAll(async () => {
    slow = await startSimulator({ chunkDelayMs: 25 });
  });
  afterAll(() => slow.close());
  const slowClient = (overrides: Partial<LlmCommonConfig> = {}) => createLlmClient({ provider: 'simulator', baseUrl: slow.url, ...fast, ...overrides });

  it('the timeout is per silence, not per stream: a long stream with steady chunks completes', async () => {
    const started = Date.now();
    const result = await slowClient({ timeoutMs: 400 }).chatStream(ask('Describe the approval workflow for travel expenses.'));
    expect(Date.now() - started).toBeGreaterThan(400);
    expect(result).toMatchObject({ finishReason: 'stop', attempts: 1 });
  });

  it('an abort mid-stream rejects promptly and is not retried', async () => {
    const before = slow.stats().chatCompletions;
    const controller = new AbortController();
    const deltas: string[] = [];
    const error = await rejection(slowClient().chatStream(ask('Describe the approval workflow.'), { signal: controller.signal, onToken: (d) => deltas.push(d) === 2 && controller.abort() }));
    expect(error).toMatchObject({ kind: 'aborted', attempts: 1 });
    expect(deltas).toHaveLength(2);
    expect(slow.stats().chatCompletions - before).toBe(1);
  });

  it('a stall after tokens were emitted times out without a retry that would repeat them', async () => {
    const stalled = await startSimulator({ chunkDelayMs: 400 });
    try {
      const deltas: string[] = [];
      const client = createLlmClient({ provider: 'simulator', baseUrl: stalled.url, ...fast, timeoutMs: 100 });
      expect(await rejection(client.chatStream(ask('Describe it.'), { onToken: (d) => deltas.push(d) }))).toMatchObject({ kind: 'timeout', attempts: 1 });
      expect(deltas).toHaveLength(1);
      expect(stalled.stats().chatCompletions).toBe(1);
    } finally {
      await stalled.close();
    }
  });

  it('an error thrown by onToken reaches the caller unchanged', async () => {
    const boom = new Error('consumer failed');
    await expect(slowClient().chatStream(ask('hi'), { onToken: () => { throw boom; } })).rejects.toBe(boom);
  });
});

describe('azure-openai path (AzureOpenAI client against the simulator\'s deployment routes)', () => {
  const azure = (auth: Pick<Extract<LlmConfig, { provider: 'azure-openai' }>, 'apiKey' | 'azureTokenProvider'>) =>
    createLlmClient({ provider: 'azure-openai', endpoint: origin, defaultModel: 'chat-deployment', embeddingModel: 'embed-deployment', ...fast, ...auth });

  it('chats and embeds through /openai/deployments/{deployment} with an api-key', async () => {
    const client = azure({ apiKey: 'azure-key' });
    const chat = await client.chat(ask('Hello from Azure'));
    expect(chat.model).toBe('chat-deployment');
    const streamed = await client.chatStream(ask('Hello from Azure'));
    expect(streamed.content).toBe(chat.content);
    const { vectors, model } = await client.embed(['one', 'two']);
    expect([vectors.length, model]).toEqual([2, 'embed-deployment']);
    expect(sim.stats().requests.map((r) => [r.endpoint, r.model, r.azure, r.auth])).toEqual([
      ['chat', 'chat-deployment', true, 'api-key'],
      ['chat', 'chat-deployment', true, 'api-key'],
      ['embeddings', 'embed-deployment', true, 'api-key'],
    ]);
  });

  it('uses an Entra ID bearer token when no key is configured', async () => {
    let calls = 0;
    const client = azure({ azureTokenProvider: async () => `token-${++calls}` });
    await client.chat({ ...ask('Hello'), model: 'other-deployment' });
    expect(calls).toBeGreaterThan(0);
    expect(sim.stats().requests.at(-1)).toMatchObject({ model: 'other-deployment', auth: 'bearer', azure: true });
  });
});

describe('LlmClient under truncated and malformed replies', () => {
  it('retries a JSON reply cut short, and a stream cut short before any text', async () => {
    await scriptFaults(['truncate']);
    const plain = await simulator().chat(ask('Summarize the claim.'));
    expect(plain).toMatchObject({ attempts: 2, finishReason: 'stop' });
    await scriptFaults(['truncate']);
    const call = await simulator().chatStream(claimRequest);
    expect(call.attempts).toBe(2);
    expect(JSON.parse(call.toolCalls[0]!.arguments)).toMatchObject({ claimNumber: '48213' });
  });

  it('retries a stream cut short after it sent text only for a caller that can drop that text', async () => {
    await scriptFaults(['truncate']);
    const failure = await rejection(simulator().chatStream(ask('Explain how the billing cycle works.'), { onToken: () => undefined }));
    expect(failure).toMatchObject({ kind: 'truncated', attempts: 1, retryable: true });

    await scriptFaults(['truncate']);
    let text = '';
    let restarts = 0;
    const result = await simulator().chatStream(ask('Explain how the billing cycle works.'), {
      onToken: (delta) => (text += delta),
      onRetry: () => {
        restarts += 1;
        text = '';
      },
    });
    expect({ restarts, attempts: result.attempts }).toEqual({ restarts: 1, attempts: 2 });
    expect(text).toBe(result.content);
    expect(result.finishReason).toBe('stop');
  });

  it('asks again when tool-call arguments are not JSON, and counts the tokens of the reply it could not use', async () => {
    const clean = await simulator().chat(claimRequest);
    await fetch(`${origin}/_simulator/reset`, { method: 'POST' });
    await scriptFaults(['bad-tool-json']);
    const result = await simulator().chat(claimRequest);
    expect(result.attempts).toBe(2);
    expect(claimArgs.parse(JSON.parse(result.toolCalls[0]!.arguments))).toMatchObject({ claimNumber: '48213' });
    // Both replies were charged: the call's usage is their sum, as the provider bills it.
    expect(result.usage.inputTokens).toBe(2 * clean.usage.inputTokens);
    expect(result.usage.outputTokens).toBe(sim.stats().charged.completionTokens);
    expect(result.usage.inputTokens).toBe(sim.stats().charged.promptTokens);

    await scriptFaults(['bad-tool-json', 'bad-tool-json', 'bad-tool-json']);
    const failure = await rejection(simulator().chatStream(claimRequest));
    expect(failure).toMatchObject({ kind: 'invalid_response', attempts: 3 });
    expect(failure.usage?.inputTokens).toBe(3 * clean.usage.inputTokens);
  });
});
