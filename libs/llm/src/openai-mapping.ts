import type {
  ChatCompletion,
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionMessageParam,
  ChatCompletionTool,
  ChatCompletionToolChoiceOption,
} from 'openai/resources/chat/completions';
import type { CompletionUsage } from 'openai/resources/completions';
import type { ChatMessage, ChatRequest, ToolCall, TokenUsage } from './types.ts';

/** Our request in the Chat Completions wire shape (non-streaming; chatStream adds the stream fields). */
export function toChatParams(request: ChatRequest, model: string, maxTokensField: 'max_tokens' | 'max_completion_tokens'): ChatCompletionCreateParamsNonStreaming {
  const params: ChatCompletionCreateParamsNonStreaming = { model, messages: request.messages.map(toWireMessage) };
  if (request.tools?.length) params.tools = request.tools.map((t): ChatCompletionTool => ({ type: 'function', function: { name: t.name, description: t.description, parameters: t.parameters } }));
  if (request.toolChoice !== undefined) params.tool_choice = toToolChoice(request.toolChoice);
  if (request.temperature !== undefined) params.temperature = request.temperature;
  if (request.maxTokens !== undefined) params[maxTokensField] = request.maxTokens;
  const format = request.responseFormat;
  if (format?.type === 'json_object') params.response_format = { type: 'json_object' };
  if (format?.type === 'json_schema') {
    params.response_format = { type: 'json_schema', json_schema: { name: format.name, schema: format.schema, ...(format.strict !== undefined ? { strict: format.strict } : {}) } };
  }
  return params;
}

function toWireMessage(message: ChatMessage): ChatCompletionMessageParam {
  switch (message.role) {
    case 'system':
    case 'user':
      return { role: message.role, content: message.content, ...(message.name ? { name: message.name } : {}) };
    case 'assistant':
      return {
        role: 'assistant',
        content: message.content,
        ...(message.name ? { name: message.name } : {}),
        ...(message.toolCalls?.length ? { tool_calls: message.toolCalls.map((c) => ({ id: c.id, type: 'function' as const, function: { name: c.name, arguments: c.arguments } })) } : {}),
      };
    case 'tool':
      return { role: 'tool', content: message.content, tool_call_id: message.toolCallId };
  }
}

function toToolChoice(choice: NonNullable<ChatRequest['toolChoice']>): ChatCompletionToolChoiceOption {
  return typeof choice === 'string' ? choice : { type: 'function', function: { name: choice.name } };
}

export function toUsage(usage: CompletionUsage | null | undefined): TokenUsage {
  return {
    inputTokens: usage?.prompt_tokens ?? 0,
    outputTokens: usage?.completion_tokens ?? 0,
    cachedTokens: usage?.prompt_tokens_details?.cached_tokens ?? 0,
  };
}

/** Function tool calls of a completion; custom (free-text) tools are not part of our protocol. */
export function toToolCalls(message: ChatCompletion.Choice['message']): ToolCall[] {
  return (message.tool_calls ?? []).flatMap((c) => (c.type === 'function' ? [{ id: c.id, name: c.function.name, arguments: c.function.arguments }] : []));
}
