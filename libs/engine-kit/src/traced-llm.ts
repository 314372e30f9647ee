import type { ChatRequest, ChatResult, LlmClient, LlmProvider } from '@switchyard/llm';
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

/**
 * Wraps an LlmClient so that every call is a client span after the OpenTelemetry GenAI semantic
 * conventions (`chat {model}`, `embeddings {model}`: operation, provider, request and response model,
 * token usage, response id and finish reason). Prompts and completions are never recorded. Outermost,
 * so billing's reservation and settlement of the call are its children.
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
    return inSpan(`chat ${model}`, { kind: SpanKind.CLIENT, attributes }, async (span) => {
      const result = await call();
      span.setAttributes({
        'gen_ai.response.model': result.model,
        'gen_ai.response.id': result.responseId,
        'gen_ai.response.finish_reasons': [result.finishReason],
        'gen_ai.usage.input_tokens': result.usage.inputTokens,
        'gen_ai.usage.output_tokens': result.usage.outputTokens,
      });
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
