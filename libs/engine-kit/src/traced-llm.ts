import type { ChatMessage, ChatRequest, ChatResult, LlmClient, LlmProvider, ToolCall } from '@switchyard/llm';
import { SpanKind, inSpan, trace, type Attributes } from '@switchyard/service-kit';
import { runContext } from './budgeted-llm.ts';

/** gen_ai.provider.name values of the OpenTelemetry GenAI conventions, for our providers. */
const PROVIDER_NAME: Record<LlmProvider, string> = {
  simulator: 'switchyard.simulator',
  openai: 'openai',
  'azure-openai': 'azure.ai.openai',
  'openai-compatible': 'openai',
};

/** The run's attributes every model span carries: tenant, workflow, framework. */
function runAttributes(): Attributes {
  const run = runContext.getStore();
  if (!run) return {};
  return {
    ...(run.tenant.tenantId ? { 'switchyard.tenant.id': run.tenant.tenantId } : {}),
    'switchyard.workflow.id': run.workflowId,
    ...(run.framework ? { 'switchyard.framework': run.framework } : {}),
  };
}

/** The most bytes of JSON each of gen_ai.input.messages and gen_ai.output.messages carries. */
export const MAX_MESSAGES_BYTES = 16 * 1024;

type MessagePart =
  | { type: 'text'; content: string }
  | { type: 'tool_call'; id: string; name: string; arguments: unknown }
  | { type: 'tool_call_response'; id: string; response: string };
interface GenAiMessage {
  role: string;
  parts: MessagePart[];
  name?: string;
  finish_reason?: string;
}

function toolCallPart(call: ToolCall): MessagePart {
  let args: unknown = call.arguments;
  try {
    args = JSON.parse(call.arguments);
  } catch {
    // Not JSON (a model's malformed arguments): recorded as the text it sent.
  }
  return { type: 'tool_call', id: call.id, name: call.name, arguments: args };
}

/** Chat messages in the GenAI conventions' shape: role, then parts (text, tool calls, tool results). */
function genAiMessages(messages: ChatMessage[]): GenAiMessage[] {
  return messages.map((message): GenAiMessage => {
    if (message.role === 'tool') return { role: 'tool', parts: [{ type: 'tool_call_response', id: message.toolCallId, response: message.content }] };
    const parts: MessagePart[] = message.content ? [{ type: 'text', content: message.content }] : [];
    if (message.role === 'assistant') parts.push(...(message.toolCalls ?? []).map(toolCallPart));
    return { role: message.role, parts, ...(message.name ? { name: message.name } : {}) };
  });
}

function shortened(text: string, cap: number): string {
  return text.length <= cap ? text : `${text.slice(0, cap)}…[truncated]`;
}

/**
 * The messages as JSON of at most `maxBytes`, still valid JSON: every text is cut to a shrinking
 * length until it fits, then the oldest messages are left out (the latest are the ones a reader needs).
 */
export function boundedMessagesJson(messages: GenAiMessage[], maxBytes: number = MAX_MESSAGES_BYTES): string {
  const fits = (json: string) => Buffer.byteLength(json, 'utf8') <= maxBytes;
  const whole = JSON.stringify(messages);
  if (fits(whole)) return whole;
  const cut = (cap: number) =>
    messages.map((message) => ({
      ...message,
      parts: message.parts.map((part): MessagePart => {
        if (part.type === 'text') return { ...part, content: shortened(part.content, cap) };
        if (part.type === 'tool_call_response') return { ...part, response: shortened(part.response, cap) };
        const args = typeof part.arguments === 'string' ? part.arguments : JSON.stringify(part.arguments ?? null);
        return args.length <= cap ? part : { ...part, arguments: shortened(args, cap) };
      }),
    }));
  let cap = Math.floor(maxBytes / 2);
  let candidate = cut(cap);
  while (cap > 64 && !fits(JSON.stringify(candidate))) {
    cap = Math.floor(cap / 2);
    candidate = cut(cap);
  }
  while (candidate.length > 1 && !fits(JSON.stringify(candidate))) candidate = candidate.slice(1);
  const json = JSON.stringify(candidate);
  return fits(json) ? json : '[]';
}

/**
 * Wraps an LlmClient so that every call is a client span after the OpenTelemetry GenAI semantic
 * conventions (`chat {model}`, `embeddings {model}`: operation, provider, request and response model,
 * token usage, response id and finish reason). Prompts and completions are recorded
 * (`gen_ai.input.messages`, `gen_ai.output.messages`, each at most MAX_MESSAGES_BYTES) only in the
 * runs of a tenant that opted in to keep them (`runContext`'s keepPrompts). Outermost, so billing's
 * reservation and settlement of the call are its children.
 */
export function tracedLlm(llm: LlmClient): LlmClient {
  const provider = PROVIDER_NAME[llm.provider];
  const chatSpan = (request: ChatRequest, call: () => Promise<ChatResult>): Promise<ChatResult> => {
    // Off: no span is made, not even its attributes.
    if (!trace.getActiveSpan()?.isRecording()) return call();
    const model = request.model ?? llm.defaultModel;
    const attributes: Attributes = {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': provider,
      'gen_ai.request.model': model,
      ...(request.maxTokens !== undefined ? { 'gen_ai.request.max_tokens': request.maxTokens } : {}),
      ...(request.temperature !== undefined ? { 'gen_ai.request.temperature': request.temperature } : {}),
      ...runAttributes(),
    };
    const keepPrompts = runContext.getStore()?.keepPrompts === true;
    if (keepPrompts) attributes['gen_ai.input.messages'] = boundedMessagesJson(genAiMessages(request.messages));
    return inSpan(`chat ${model}`, { kind: SpanKind.CLIENT, attributes }, async (span) => {
      const result = await call();
      span.setAttributes({
        'gen_ai.response.model': result.model,
        'gen_ai.response.id': result.responseId,
        'gen_ai.response.finish_reasons': [result.finishReason],
        'gen_ai.usage.input_tokens': result.usage.inputTokens,
        'gen_ai.usage.output_tokens': result.usage.outputTokens,
      });
      if (keepPrompts) {
        const [reply] = genAiMessages([{ role: 'assistant', content: result.content, toolCalls: result.toolCalls }]);
        span.setAttribute('gen_ai.output.messages', boundedMessagesJson([{ ...reply!, finish_reason: result.finishReason }]));
      }
      return result;
    });
  };
  return {
    provider: llm.provider,
    defaultModel: llm.defaultModel,
    ...(llm.embeddingModel ? { embeddingModel: llm.embeddingModel } : {}),
    chat: (request, options) => chatSpan(request, () => llm.chat(request, options)),
    chatStream: (request, options) => chatSpan(request, () => llm.chatStream(request, options)),
    embed: (texts, options) => {
      if (!trace.getActiveSpan()?.isRecording()) return llm.embed(texts, options);
      const model = options?.model ?? llm.embeddingModel ?? 'text-embedding-3-small';
      const attributes: Attributes = { 'gen_ai.operation.name': 'embeddings', 'gen_ai.provider.name': provider, 'gen_ai.request.model': model, ...runAttributes() };
      return inSpan(`embeddings ${model}`, { kind: SpanKind.CLIENT, attributes }, async (span) => {
        const result = await llm.embed(texts, options);
        span.setAttributes({ 'gen_ai.response.model': result.model, 'gen_ai.usage.input_tokens': result.inputTokens });
        return result;
      });
    },
  };
}
