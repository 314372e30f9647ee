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
  responseFormat?: { type: 'json_object' } | { type: 'json_schema'; name: string; schema: Record<string, unknown> };
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
}

export interface CallOptions {
  signal?: AbortSignal;
  /** Called with each text delta when streaming. */
  onToken?: (delta: string) => void;
}

export interface LlmClient {
  readonly provider: LlmProvider;
  readonly defaultModel: string;
  chat(request: ChatRequest, options?: CallOptions): Promise<ChatResult>;
  /** Same as chat, over the streaming API; deltas go to options.onToken, the assembled result is returned. */
  chatStream(request: ChatRequest, options?: CallOptions): Promise<ChatResult>;
  embed(texts: string[], options?: { model?: string; signal?: AbortSignal }): Promise<{ vectors: number[][]; model: string; inputTokens: number }>;
}

export type LlmProvider = 'simulator' | 'openai' | 'azure-openai' | 'openai-compatible';
