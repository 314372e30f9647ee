import OpenAI, { AzureOpenAI } from 'openai';
import { toChatParams, toToolCalls, toUsage } from './openai-mapping.ts';
import { withRetries, type RetryPolicy } from './retry-policy.ts';
import { LlmError } from './llm-error.ts';
import type { CallOptions, ChatRequest, ChatResult, LlmClient, LlmConfig, LlmProvider, TokenUsage, ToolCall } from './types.ts';

/** The Azure OpenAI data-plane GA version used when none is configured. */
export const DEFAULT_AZURE_API_VERSION = '2024-10-21';
const AZURE_SCOPE = 'https://cognitiveservices.azure.com/.default';

/**
 * Build the client every engine uses. All four providers go through the official `openai` SDK (`AzureOpenAI` for
 * Azure, `OpenAI` for the rest, pointed at the right base URL), so the simulator exercises exactly the code path
 * a real provider does. Retries, timeouts and cancellation are handled here (see withRetries), not by the SDK.
 */
export function createLlmClient(config: LlmConfig): LlmClient {
  const provider = config.provider;
  const defaultModel = config.defaultModel ?? 'gpt-4o-mini';
  const embeddingModel = config.embeddingModel ?? 'text-embedding-3-small';
  const timeoutMs = config.timeoutMs ?? 60_000;
  const maxTokensField = config.maxTokensField ?? (provider === 'openai' || provider === 'simulator' ? 'max_completion_tokens' : 'max_tokens');
  const policy: RetryPolicy = {
    maxRetries: config.maxRetries ?? 3,
    baseDelayMs: config.retryBaseDelayMs ?? 500,
    maxDelayMs: config.retryMaxDelayMs ?? 8_000,
    maxRetryAfterMs: config.maxRetryAfterMs ?? 60_000,
  };
  const sdk = createSdkClient(config, timeoutMs);
  const requestOptions = (signal: AbortSignal) => ({ signal, timeout: timeoutMs, maxRetries: 0 });
  const retryOptions = (signal: AbortSignal | undefined) => ({ policy, provider, timeoutMs, ...(signal ? { signal } : {}) });

  async function chat(request: ChatRequest, options: CallOptions = {}): Promise<ChatResult> {
    const started = performance.now();
    const params = toChatParams(request, request.model ?? defaultModel, maxTokensField);
    const charged = new ChargedUsage();
    let attempts = 0;
    const { response, toolCalls } = await charged.around(() =>
      withRetries(async ({ signal, number }) => {
        attempts = number;
        const response = await sdk.chat.completions.create(params, requestOptions(signal)).catch((error: unknown) => {
          throw cutShort(error, provider);
        });
        const choice = response.choices[0];
        const toolCalls = choice ? toToolCalls(choice.message) : [];
        charged.check(toolCalls, toUsage(response.usage), provider);
        return { response, toolCalls };
      }, retryOptions(options.signal)),
    );
    const choice = response.choices[0];
    return {
      content: choice?.message.content ?? null,
      toolCalls,
      finishReason: choice?.finish_reason ?? 'stop',
      model: response.model,
      usage: charged.plus(toUsage(response.usage)),
      latencyMs: Math.round(performance.now() - started),
      responseId: response.id,
      attempts,
    };
  }

  async function chatStream(request: ChatRequest, options: CallOptions = {}): Promise<ChatResult> {
    const started = performance.now();
    const params = toChatParams(request, request.model ?? defaultModel, maxTokensField);
    const charged = new ChargedUsage();
    let emitted = false;
    let attempts = 0;
    const result = await charged.around(() =>
      withRetries(
        async ({ signal, touch, number }) => {
          attempts = number;
          if (emitted) {
            // A stream cut short after it sent text: the caller drops that text before the new attempt.
            options.onRetry?.();
            emitted = false;
          }
          const stream = await sdk.chat.completions.create({ ...params, stream: true, stream_options: { include_usage: true } }, requestOptions(signal));
          let content = '';
          let finishReason: string | null = null;
          let usage = toUsage(undefined);
          let model = params.model;
          let responseId = '';
          const calls = new Map<number, ToolCall>();
          for await (const chunk of stream) {
            if (signal.aborted) break; // already rejected; don't feed onToken from chunks still buffered
            touch();
            responseId ||= chunk.id;
            model = chunk.model || model;
            if (chunk.usage) usage = toUsage(chunk.usage);
            const choice = chunk.choices[0];
            if (!choice) continue;
            const delta = choice.delta;
            if (delta.content) {
              content += delta.content;
              emitted = true;
              options.onToken?.(delta.content);
            }
            for (const part of delta.tool_calls ?? []) {
              const call = calls.get(part.index) ?? { id: '', name: '', arguments: '' };
              if (part.id) call.id = part.id;
              if (part.function?.name) call.name += part.function.name;
              if (part.function?.arguments) call.arguments += part.function.arguments;
              calls.set(part.index, call);
            }
            if (choice.finish_reason) finishReason = choice.finish_reason;
          }
          // The SDK ends iteration quietly when its signal fires; surface that as the abort or timeout it was.
          if (signal.aborted) throw signal.reason;
          // A stream that ends without a finish reason was cut off (a dropped connection, a proxy's timeout).
          if (finishReason === null) throw new LlmError('truncated', `The ${provider} stream ended before the reply was finished.`, { provider });
          const toolCalls = [...calls.entries()].sort(([a], [b]) => a - b).map(([, call]) => call);
          charged.check(toolCalls, usage, provider);
          return { content: content === '' && toolCalls.length > 0 ? null : content, toolCalls, finishReason, model, usage, responseId };
        },
        { ...retryOptions(options.signal), canRetry: () => !emitted || options.onRetry !== undefined },
      ),
    );
    return { ...result, usage: charged.plus(result.usage), latencyMs: Math.round(performance.now() - started), attempts };
  }

  async function embed(texts: string[], options: { model?: string; signal?: AbortSignal } = {}) {
    const model = options.model ?? embeddingModel;
    if (texts.length === 0) return { vectors: [], model, inputTokens: 0 };
    // encoding_format 'float' explicitly: the SDK otherwise asks for base64, which some compatible servers ignore.
    const response = await withRetries(
      ({ signal }) => sdk.embeddings.create({ model, input: texts, encoding_format: 'float' }, requestOptions(signal)),
      retryOptions(options.signal),
    );
    const vectors = [...response.data].sort((a, b) => a.index - b.index).map((d) => d.embedding);
    return { vectors, model: response.model || model, inputTokens: response.usage?.prompt_tokens ?? 0 };
  }

  return { provider, defaultModel, embeddingModel, chat, chatStream, embed };
}

/**
 * Tokens charged for a call's attempts that could not be used: a reply whose tool-call arguments are
 * not JSON is paid for, then asked again. They are added to the call's usage, or carried by the
 * error when no attempt succeeds, so billing counts what the provider charged, no more, no less.
 */
class ChargedUsage {
  private usage: TokenUsage = { inputTokens: 0, outputTokens: 0, cachedTokens: 0 };

  /** Refuse (retryably) a reply with a tool call whose arguments are not JSON, after booking its usage. */
  check(toolCalls: ToolCall[], usage: TokenUsage, provider: LlmProvider): void {
    const bad = toolCalls.find((call) => !isJsonOrEmpty(call.arguments));
    if (!bad) return;
    this.usage = this.plus(usage);
    throw new LlmError('invalid_response', `${provider} returned a call of tool "${bad.name}" whose arguments are not valid JSON.`, { provider });
  }

  plus(usage: TokenUsage): TokenUsage {
    return { inputTokens: this.usage.inputTokens + usage.inputTokens, outputTokens: this.usage.outputTokens + usage.outputTokens, cachedTokens: this.usage.cachedTokens + usage.cachedTokens };
  }

  /** Run the call; a failure leaves with the usage charged for its unusable attempts. */
  async around<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof LlmError && this.usage.inputTokens + this.usage.outputTokens > 0) throw error.withUsage(this.usage);
      throw error;
    }
  }
}

function isJsonOrEmpty(text: string): boolean {
  if (text.trim() === '') return true;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** A body that is not JSON (cut short on the way) is a truncated reply, worth another attempt. */
function cutShort(error: unknown, provider: LlmProvider): unknown {
  if (error instanceof SyntaxError) return new LlmError('truncated', `The ${provider} reply was not complete JSON (cut short?): ${error.message}`, { provider, cause: error });
  return error;
}

function createSdkClient(config: LlmConfig, timeoutMs: number): OpenAI {
  // Every option is explicit so stray OPENAI_* variables in the environment cannot redirect the client.
  const common = { timeout: timeoutMs, maxRetries: 0, organization: null, project: null } as const;
  switch (config.provider) {
    case 'openai':
      return new OpenAI({ ...common, apiKey: config.apiKey, baseURL: config.baseUrl ?? 'https://api.openai.com/v1' });
    case 'simulator':
    case 'openai-compatible':
      // Local servers usually ignore the key, but the SDK insists on one.
      return new OpenAI({ ...common, apiKey: config.apiKey || 'not-needed', baseURL: config.baseUrl });
    case 'azure-openai': {
      // baseURL rather than `endpoint`, so an OPENAI_BASE_URL in the environment cannot conflict with it.
      const baseURL = `${config.endpoint.replace(/\/+$/, '')}/openai`;
      const apiVersion = config.apiVersion ?? DEFAULT_AZURE_API_VERSION;
      if (config.apiKey) return new AzureOpenAI({ ...common, baseURL, apiVersion, apiKey: config.apiKey });
      return new AzureOpenAI({ ...common, baseURL, apiVersion, azureADTokenProvider: config.azureTokenProvider ?? defaultAzureTokenProvider() });
    }
  }
}

/** Entra ID via DefaultAzureCredential, loaded on first use so services that never use Azure don't pay for @azure/identity. */
function defaultAzureTokenProvider(): () => Promise<string> {
  let provider: Promise<() => Promise<string>> | undefined;
  return async () => {
    provider ??= import('@azure/identity').then(({ DefaultAzureCredential, getBearerTokenProvider }) => getBearerTokenProvider(new DefaultAzureCredential(), AZURE_SCOPE));
    try {
      return await (await provider)();
    } catch (error) {
      provider = undefined; // a credential that failed to load may work on the next call
      throw error;
    }
  };
}
