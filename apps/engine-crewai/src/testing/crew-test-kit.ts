import { initialUniversalState } from '@switchyard/contracts';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EngineEvent, EngineRunResult, UniversalAgentState } from '@switchyard/contracts';
import { createLogger } from '@switchyard/service-kit';
import type { Engine } from '@switchyard/engine-kit';

/** A universal state as the orchestrator would post it for a CREWAI workflow. */
export function universalState(workflowId: string, input: string): UniversalAgentState {
  return initialUniversalState({ tenantId: 'acme', workflowId, userId: 'u', framework: 'CREWAI', input });
}

const logger = createLogger('test', 'silent');
const tenant = { tenantId: 'acme', role: 'DEVELOPER' as const, keyId: null, subject: 's' };

/** Run an engine once the way engine-kit would, collecting its events; `onEvent` may abort the run. */
export async function runCrew(
  engine: Engine,
  options: { workflowId: string; input: string; definition?: unknown; resume?: unknown; onEvent?: (event: EngineEvent, abort: () => void) => void },
): Promise<{ result: EngineRunResult | { status: 'ABORTED'; error: unknown }; events: EngineEvent[] }> {
  const controller = new AbortController();
  const events: EngineEvent[] = [];
  const abort = () => controller.abort(new Error('simulated crash'));
  try {
    const result = await engine.run(
      { state: universalState(options.workflowId, options.input), definition: options.definition ?? null, ...(options.resume !== undefined ? { resume: options.resume } : {}) },
      {
        tenant,
        logger,
        signal: controller.signal,
        emit: (event) => {
          events.push(event);
          options.onEvent?.(event, abort);
        },
      },
    );
    return { result, events };
  } catch (error) {
    if (!controller.signal.aborted) throw error;
    return { result: { status: 'ABORTED', error }, events };
  }
}

/** A chat request as the scripted model sees it (the OpenAI wire format). */
export interface WireRequest {
  model: string;
  messages: Array<{ role: string; content: string | null; tool_calls?: Array<{ id: string; function: { name: string; arguments: string } }>; tool_call_id?: string }>;
  tools?: Array<{ function: { name: string; parameters: Record<string, unknown> } }>;
  tool_choice?: unknown;
  response_format?: { type: string };
}

export interface ScriptedReply {
  content?: string;
  toolCalls?: Array<{ name: string; arguments: Record<string, unknown> }>;
}

/**
 * A tiny OpenAI-compatible server whose replies a test scripts per request, so engine code still goes
 * through the real openai SDK over HTTP while the model's behaviour is exactly what the test needs.
 */
export async function startScriptedModel(reply: (request: WireRequest, index: number) => ScriptedReply): Promise<{ url: string; requests: WireRequest[]; close(): Promise<void> }> {
  const requests: WireRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as WireRequest;
      requests.push(body);
      let scripted: ScriptedReply;
      try {
        scripted = reply(body, requests.length - 1);
      } catch (error) {
        res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: String(error) } }));
        return;
      }
      const toolCalls = (scripted.toolCalls ?? []).map((call, i) => ({ id: `call_${requests.length}_${i}`, type: 'function', function: { name: call.name, arguments: JSON.stringify(call.arguments) } }));
      const message = { role: 'assistant', content: scripted.content ?? null, ...(toolCalls.length ? { tool_calls: toolCalls } : {}) };
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          id: `chatcmpl-scripted-${requests.length}`,
          object: 'chat.completion',
          created: Math.floor(Date.now() / 1000),
          model: body.model,
          choices: [{ index: 0, message, finish_reason: toolCalls.length ? 'tool_calls' : 'stop' }],
          usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The text of a wire message. */
export const textOf = (message: WireRequest['messages'][number] | undefined): string => message?.content ?? '';
