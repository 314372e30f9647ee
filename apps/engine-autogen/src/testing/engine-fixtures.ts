import { initialUniversalState } from '@switchyard/contracts';
import { createServer, type Server } from 'node:http';
import type { EngineEvent, UniversalAgentState } from '@switchyard/contracts';
import { createLogger } from '@switchyard/service-kit';
import type { EngineRunIO } from '@switchyard/engine-kit';

/** A universal state as the orchestrator sends it for a new AUTOGEN workflow. */
export function universalState(workflowId: string, input: string): UniversalAgentState {
  return initialUniversalState({ tenantId: 'acme', workflowId, userId: 'u', framework: 'AUTOGEN', input });
}

const logger = createLogger('test', 'silent');

/** An io that records events; `onEvent` may react to them (e.g. abort after the n-th message). */
export function recordingIO(options: { signal?: AbortSignal; onEvent?: (event: EngineEvent, events: EngineEvent[]) => void } = {}): EngineRunIO & { events: EngineEvent[] } {
  const events: EngineEvent[] = [];
  return {
    tenant: { tenantId: 'acme', role: 'DEVELOPER', keyId: null, subject: 's' },
    emit: (event) => {
      events.push(event);
      options.onEvent?.(event, events);
    },
    signal: options.signal ?? new AbortController().signal,
    logger,
    events,
  };
}

export const messagesOf = (events: EngineEvent[]) => events.filter((e) => e.type === 'AGENT_MESSAGE').map((e) => ({ agent: e.agent, message: e.message }));

/** One reply of the scripted model: text, or tool calls by name (with JSON arguments). */
export type ScriptedReply = string | { toolCalls: { name: string; arguments?: Record<string, unknown> }[] };

/**
 * A tiny OpenAI-compatible chat completions server answering from a script, for the cases the
 * simulator's answers do not cover (a selector that names nobody, a precise handoff chain). Each
 * request is recorded; the answer is `respond(request, index)`.
 */
export async function startScriptedModel(respond: (request: { messages: { role: string; content: string | null; name?: string }[]; tools?: unknown[] }, index: number) => ScriptedReply): Promise<{
  url: string;
  requests: { messages: { role: string; content: string | null; name?: string }[]; tools?: { function: { name: string } }[] }[];
  close(): Promise<void>;
}> {
  const requests: { messages: { role: string; content: string | null; name?: string }[]; tools?: { function: { name: string } }[] }[] = [];
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    requests.push(body);
    const reply = respond(body, requests.length - 1);
    const message =
      typeof reply === 'string'
        ? { role: 'assistant', content: reply }
        : {
            role: 'assistant',
            content: null,
            tool_calls: reply.toolCalls.map((call, i) => ({ id: `call_${requests.length}_${i}`, type: 'function', function: { name: call.name, arguments: JSON.stringify(call.arguments ?? {}) } })),
          };
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        id: `chatcmpl-${requests.length}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: 'scripted',
        choices: [{ index: 0, message, finish_reason: typeof reply === 'string' ? 'stop' : 'tool_calls' }],
        usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}/v1`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
