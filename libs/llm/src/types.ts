/** One path to every model: these types are what engines see, whatever the provider. */
export type ChatRole = 'system' | 'user' | 'assistant' | 'tool';

export interface ToolCall {
  id: string;
  name: string;
  /** JSON text of the arguments, exactly as the model produced it. */
  arguments: string;
}

export type ChatMessage =
  | { role: 'system' | 'user'; content: string; name?: string }
  | { role: 'assistant'; content: string | null; toolCalls?: ToolCall[]; name?: string }
  | { role: 'tool'; content: string; toolCallId: string };

export interface ToolSpec {
  name: string;
  description: string;
  /** JSON Schema of the arguments. */
  parameters: Record<string, unknown>;
}

export interface ChatRequest {
  /** Model (or Azure deployment) name; the client's default when absent. */
  model?: string;
  messages: ChatMessage[];
  tools?: ToolSpec[];
  toolChoice?: 'auto' | 'none' | 'required' | { name: string };
  temperature?: number;
  maxTokens?: number;
  /** Ask for a JSON object, optionally matching a JSON Schema. */
  responseFormat?: { type: 'json_object' } | { type: 'json_schema'; name: string; schema: Record<string, unknown>; strict?: boolean };
}

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
}

export interface ChatResult {
  content: string | null;
  toolCalls: ToolCall[];
  finishReason: string;
  model: string;
  usage: TokenUsage;
  latencyMs: number;
  /** The provider's response id, useful for idempotent metering. */
  responseId: string;
  /** HTTP attempts it took (1 when the first one succeeded). */
  attempts: number;
}

export interface CallOptions {
  signal?: AbortSignal;
  /** Called with each text delta when streaming. */
  onToken?: (delta: string) => void;
  /**
   * Called before a stream that already sent deltas is tried again (it was cut short): the caller
   * drops the text it has. Without it, a stream is not retried once a delta went out.
   */
  onRetry?: () => void;
}

export interface LlmClient {
  readonly provider: LlmProvider;
  readonly defaultModel: string;
  /** The model (or Azure deployment) `embed` uses when the call names none. */
  readonly embeddingModel?: string;
  chat(request: ChatRequest, options?: CallOptions): Promise<ChatResult>;
  /** Same as chat, over the streaming API; deltas go to options.onToken, the assembled result is returned. */
  chatStream(request: ChatRequest, options?: CallOptions): Promise<ChatResult>;
  embed(texts: string[], options?: { model?: string; signal?: AbortSignal }): Promise<{ vectors: number[][]; model: string; inputTokens: number }>;
}

export type LlmProvider = 'simulator' | 'openai' | 'azure-openai' | 'openai-compatible';

/** What went wrong, coarsely enough to branch on: retryable kinds are rate_limited, server, timeout and connection. */
export type LlmErrorKind =
  | 'rate_limited'
  | 'server'
  | 'timeout'
  | 'aborted'
  | 'bad_request'
  | 'auth'
  | 'connection'
  /** A stream that ended before its finish reason, or a body cut short. */
  | 'truncated'
  /** A whole reply that cannot be used, e.g. tool-call arguments that are not JSON. */
  | 'invalid_response';

/** Settings every provider shares; each has the default shown, which is also llmConfigFromEnv's default. */
export interface LlmCommonConfig {
  /** Chat model (Azure: deployment) used when a request names none. Default 'gpt-4o-mini'. */
  defaultModel?: string;
  /** Default 'text-embedding-3-small'. */
  embeddingModel?: string;
  /** Per attempt; for streams, the longest silence between chunks. Default 60000. */
  timeoutMs?: number;
  /** Retries after the first attempt for 429, 5xx, timeouts and connection errors. Default 3. */
  maxRetries?: number;
  /** First back-off delay, doubled per retry, with jitter. Default 500. */
  retryBaseDelayMs?: number;
  /** Cap of one back-off delay. Default 8000. */
  retryMaxDelayMs?: number;
  /** A Retry-After longer than this is not waited out: the call fails with kind 'rate_limited'. Default 60000. */
  maxRetryAfterMs?: number;
  /**
   * Which request field carries ChatRequest.maxTokens. Default 'max_completion_tokens' for 'openai' and
   * 'simulator' (OpenAI's current field, required by reasoning models), 'max_tokens' for 'azure-openai' and
   * 'openai-compatible' (accepted by every Azure api-version and by Ollama, vLLM and llama.cpp).
   */
  maxTokensField?: 'max_tokens' | 'max_completion_tokens';
}

/** Where the model lives and how to authenticate; see llmConfigFromEnv for the matching environment variables. */
export type LlmConfig = LlmCommonConfig &
  (
    | { provider: 'simulator'; /** The simulator's base URL ending in /v1. */ baseUrl: string; apiKey?: string }
    | { provider: 'openai'; apiKey: string; baseUrl?: string }
    | { provider: 'openai-compatible'; /** e.g. http://localhost:11434/v1 for Ollama. */ baseUrl: string; apiKey?: string }
    | {
        provider: 'azure-openai';
        /** https://{resource}.openai.azure.com */
        endpoint: string;
        /** Default '2024-10-21'. */
        apiVersion?: string;
        /** When absent, Entra ID: azureTokenProvider, else DefaultAzureCredential. */
        apiKey?: string;
        /** Bearer token source for Entra ID; defaults to DefaultAzureCredential for the Cognitive Services scope. */
        azureTokenProvider?: () => Promise<string>;
      }
  );
