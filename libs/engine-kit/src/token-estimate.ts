import { Tiktoken } from 'js-tiktoken/lite';
import type { ChatRequest, ChatResult, TokenUsage } from '@switchyard/llm';

export type TokenEncodingName = 'o200k_base' | 'cl100k_base';

/**
 * The tokenizer a model family uses: o200k_base for the gpt-4o, gpt-4.1, gpt-4.5, gpt-5 and o-series
 * families, cl100k_base for older models (gpt-4, gpt-3.5) and for names we cannot place (an Azure
 * deployment name, a local model), where cl100k's smaller vocabulary errs towards more tokens.
 */
export function encodingForModel(model: string): TokenEncodingName {
  const name = model.toLowerCase().replace(/^.*\//, '');
  return /^(gpt-4o|chatgpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|o1|o3|o4)(\b|-|$)/.test(name) ? 'o200k_base' : 'cl100k_base';
}

const encoders = new Map<TokenEncodingName, Promise<Tiktoken>>();

/** Loaded on first use: each rank table is a few MB that services which never need it should not pay for. */
function encoder(name: TokenEncodingName): Promise<Tiktoken> {
  let loaded = encoders.get(name);
  if (!loaded) {
    loaded = (name === 'o200k_base' ? import('js-tiktoken/ranks/o200k_base') : import('js-tiktoken/ranks/cl100k_base')).then((ranks) => new Tiktoken(ranks.default));
    encoders.set(name, loaded);
  }
  return loaded;
}

// Chat framing as OpenAI documents it for its chat models: 3 tokens around every message, 1 more for
// a name, 3 that prime the reply. Tool definitions are counted as their name, description and JSON
// Schema text plus a few tokens of framing each (the provider's exact tool rendering is not public).
const TOKENS_PER_MESSAGE = 3;
const TOKENS_PER_NAME = 1;
const REPLY_PRIMING = 3;
const TOKENS_PER_TOOL = 8;

/** Input and output tokens of a call counted with the model family's tokenizer, for a provider that reported none. */
export async function estimateUsage(request: ChatRequest, result: Pick<ChatResult, 'model' | 'content' | 'toolCalls'>): Promise<TokenUsage & { encoding: TokenEncodingName }> {
  const encoding = encodingForModel(result.model || request.model || '');
  const tokenizer = await encoder(encoding);
  const count = (text: string | null | undefined) => (text ? tokenizer.encode(text).length : 0);
  let inputTokens = REPLY_PRIMING;
  for (const message of request.messages) {
    inputTokens += TOKENS_PER_MESSAGE + count(message.role) + count(message.content);
    if ('name' in message && message.name) inputTokens += TOKENS_PER_NAME + count(message.name);
    if (message.role === 'assistant') for (const call of message.toolCalls ?? []) inputTokens += count(call.name) + count(call.arguments);
  }
  for (const tool of request.tools ?? []) inputTokens += TOKENS_PER_TOOL + count(tool.name) + count(tool.description) + count(JSON.stringify(tool.parameters));
  const outputTokens = count(result.content) + result.toolCalls.reduce((sum, call) => sum + count(call.name) + count(call.arguments), 0);
  return { inputTokens, outputTokens, cachedTokens: 0, encoding };
}

/**
 * A provider that sends no usage leaves every count at zero, which no real chat call has (a prompt is
 * never zero tokens): that is how a missing usage report is told apart from a reported one.
 */
export function usageMissing(usage: TokenUsage): boolean {
  return usage.inputTokens === 0 && usage.outputTokens === 0;
}
