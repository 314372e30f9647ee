import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getEncoding } from 'js-tiktoken';
import { startSimulator, type RunningSimulator } from '@switchyard/llm-simulator';
import { createLlmClient, type ChatRequest } from '@switchyard/llm';
import { encodingForModel, estimateUsage } from './token-estimate.ts';
import { withEstimatedUsage } from './budgeted-llm.ts';

const tokenizers = new Map<'o200k_base' | 'cl100k_base', ReturnType<typeof getEncoding>>();
const tokenizer = (name: 'o200k_base' | 'cl100k_base') => tokenizers.get(name) ?? tokenizers.set(name, getEncoding(name)).get(name)!;

let silent: RunningSimulator;
let reporting: RunningSimulator;
beforeAll(async () => {
  silent = await startSimulator({ omitUsage: true });
  reporting = await startSimulator();
});
afterAll(async () => {
  await silent.close();
  await reporting.close();
});

const request: ChatRequest = {
  model: 'gpt-4o-mini',
  messages: [
    { role: 'system', content: 'You are a claims assistant.' },
    { role: 'user', content: 'Summarise claim #12345: a cracked windscreen, repaired for 480 EUR.' },
  ],
};

describe('token estimate', () => {
  it('picks o200k_base for the gpt-4o, 4.1, 5 and o-series families and cl100k_base for older or unknown models', () => {
    for (const model of ['gpt-4o', 'gpt-4o-mini-2024-07-18', 'gpt-4.1-nano', 'gpt-5', 'gpt-5-mini', 'o3-mini', 'o1', 'openai/gpt-4o']) expect(encodingForModel(model)).toBe('o200k_base');
    for (const model of ['gpt-4', 'gpt-4-turbo', 'gpt-35-turbo', 'gpt-3.5-turbo', 'llama3:8b', 'contoso-prod-chat']) expect(encodingForModel(model)).toBe('cl100k_base');
  });

  it('counts with the family\'s tokenizer, so the same text costs different token counts on old and new models', async () => {
    const text = 'Schadensmeldung: Windschutzscheibe gesprungen, Reparatur für 480 EUR — bitte prüfen.';
    const reply = { content: text, toolCalls: [] };
    const o200k = await estimateUsage(request, { ...reply, model: 'gpt-4o' });
    const cl100k = await estimateUsage(request, { ...reply, model: 'gpt-4' });
    expect(o200k.outputTokens).toBe(tokenizer('o200k_base').encode(text).length);
    expect(cl100k.outputTokens).toBe(tokenizer('cl100k_base').encode(text).length);
    expect(o200k.outputTokens).not.toBe(cl100k.outputTokens);
    // Chat framing: 3 per message and 3 priming the reply, on top of the role and content tokens.
    const enc = tokenizer('o200k_base');
    const framed = request.messages.reduce((n, m) => n + 3 + enc.encode(m.role).length + enc.encode(m.content ?? '').length, 3);
    expect(o200k.inputTokens).toBe(framed);
  });
});

describe('withEstimatedUsage over a provider that sends no usage (the simulator over HTTP)', () => {
  it('fills in tokenizer counts, gives the call an id and reports the estimate, for chat and for streams', async () => {
    const estimates: string[] = [];
    const llm = withEstimatedUsage(createLlmClient({ provider: 'simulator', baseUrl: silent.url, maxRetries: 0 }), async (callId, _result, encoding) => {
      estimates.push(`${callId}:${encoding}`);
    });
    const plain = await llm.chat(request);
    const raw = await createLlmClient({ provider: 'simulator', baseUrl: silent.url, maxRetries: 0 }).chat(request);
    expect(raw.usage).toEqual({ inputTokens: 0, outputTokens: 0, cachedTokens: 0 });
    expect(plain.usage.inputTokens).toBeGreaterThan(20);
    expect(plain.usage.outputTokens).toBe(tokenizer('o200k_base').encode(plain.content ?? '').length);
    const streamed = await llm.chatStream(request);
    expect(streamed.usage).toEqual(plain.usage);
    expect(estimates).toEqual([`${plain.responseId}:o200k_base`, `${streamed.responseId}:o200k_base`]);
  });

  it('leaves a provider\'s own usage untouched and reports nothing', async () => {
    let reported = 0;
    const llm = withEstimatedUsage(createLlmClient({ provider: 'simulator', baseUrl: reporting.url, maxRetries: 0 }), async () => {
      reported += 1;
    });
    const result = await llm.chat(request);
    const direct = await createLlmClient({ provider: 'simulator', baseUrl: reporting.url, maxRetries: 0 }).chat(request);
    expect(result.usage).toEqual(direct.usage);
    expect(reported).toBe(0);
  });
});
