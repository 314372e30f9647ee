import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { ToolError, type Tool, type ToolContext } from './tool.ts';

const toolTracer = trace.getTracer('switchyard');

/** The most of a tool call's arguments or result a span attribute carries (UTF-16 units, about as many bytes). */
export const MAX_TOOL_CONTENT_CHARS = 16 * 1024;

function boundedText(text: string): string {
  return text.length <= MAX_TOOL_CONTENT_CHARS ? text : `${text.slice(0, MAX_TOOL_CONTENT_CHARS - 40)}…[truncated: ${text.length} characters]`;
}

/** What one call did, for the workflow's TOOL_CALL event: never the secrets, never the whole result. */
export interface ToolCallRecord {
  tool: string;
  source: string;
  /** The arguments as validated (or as the model sent them, when they did not validate). */
  arguments: unknown;
  ok: boolean;
  /** Why the call failed, as the agent was told. */
  error?: string;
  /** Size of the result in bytes (UTF-8) before any truncation for the model. */
  resultBytes: number;
  /** The start of what the agent was told (at most 500 characters), for the event stream. */
  preview: string;
  durationMs: number;
}

/** A call's outcome: the observation the agent reads, the raw result, and the record for the event. */
export interface ToolCallOutcome {
  ok: boolean;
  /** A failure that may go away when tried again (the tool threw, or refused with a retryable ToolError). */
  retryable: boolean;
  observation: string;
  result?: unknown;
  record: ToolCallRecord;
}

/** The OpenAI function-calling spec of a tool (libs/llm's ToolSpec). */
export interface FunctionSpec {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

export interface ToolRegistryOptions {
  /** Observations longer than this are cut (with a note saying so); the model's context is finite. */
  maxObservationChars?: number;
}

const DEFAULT_MAX_OBSERVATION = 16_000;

/**
 * The tools one run may use, by name. Every engine calls tools through `call`: it validates the
 * arguments first, runs the tool, and turns every failure (unknown tool, bad JSON, invalid arguments,
 * a tool that throws) into an observation the agent can read and act on. Only an abort propagates.
 */
export class ToolRegistry {
  private readonly tools = new Map<string, Tool>();
  private readonly maxObservationChars: number;

  constructor(tools: Iterable<Tool> = [], options: ToolRegistryOptions = {}) {
    for (const tool of tools) {
      if (!/^[a-zA-Z0-9_-]{1,64}$/.test(tool.name)) throw new Error(`tool name "${tool.name}" must be 1-64 letters, digits, "_" or "-" (the OpenAI function name rule)`);
      if (this.tools.has(tool.name)) throw new Error(`two tools are called "${tool.name}"`);
      this.tools.set(tool.name, tool);
    }
    this.maxObservationChars = options.maxObservationChars ?? DEFAULT_MAX_OBSERVATION;
  }

  get(name: string): Tool | undefined {
    return this.tools.get(name);
  }

  has(name: string): boolean {
    return this.tools.has(name);
  }

  names(): string[] {
    return [...this.tools.keys()];
  }

  list(): Tool[] {
    return [...this.tools.values()];
  }

  /** A registry with these tools added (a tool of the same name replaces the old one). */
  with(...tools: Tool[]): ToolRegistry {
    const merged = new Map(this.tools);
    for (const tool of tools) merged.set(tool.name, tool);
    return new ToolRegistry(merged.values(), { maxObservationChars: this.maxObservationChars });
  }

  /** Only the named tools (those a tenant enabled); unknown names are ignored. */
  only(names: Iterable<string>): ToolRegistry {
    const wanted = new Set(names);
    return new ToolRegistry(this.list().filter((tool) => wanted.has(tool.name)), { maxObservationChars: this.maxObservationChars });
  }

  /** The function-calling spec for a tool, for libs/llm's ChatRequest.tools. */
  spec(name: string): FunctionSpec {
    const tool = this.tools.get(name);
    if (!tool) throw new Error(`unknown tool "${name}"`);
    return { name: tool.name, description: tool.description, parameters: tool.parameters };
  }

  specs(names: Iterable<string> = this.tools.keys()): FunctionSpec[] {
    return [...names].map((name) => this.spec(name));
  }

  /**
   * Run a tool. `rawArguments` is the model's JSON text, or an already parsed object (a ReAct reply,
   * a graph's tool node). `onRecord` gets the record of every call, failed ones included.
   */
  async call(name: string, rawArguments: unknown, context: ToolContext, onRecord?: (record: ToolCallRecord) => void): Promise<ToolCallOutcome> {
    // Off: no span, not even its name. On: an execute_tool span (GenAI conventions); arguments and
    // results only for a tenant that opted in to keep them (context.keepContent, decision 021).
    if (!trace.getActiveSpan()?.isRecording()) return this.run(name, rawArguments, context, onRecord);
    return toolTracer.startActiveSpan(`execute_tool ${name}`, { kind: SpanKind.INTERNAL, attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': name } }, async (span) => {
      try {
        const outcome = await this.run(name, rawArguments, context, onRecord);
        span.setAttributes({ 'gen_ai.tool.type': 'function', 'switchyard.tool.source': outcome.record.source, 'switchyard.tool.result_bytes': outcome.record.resultBytes });
        if (context.keepContent === true) {
          const args = outcome.record.arguments;
          span.setAttributes({
            'gen_ai.tool.call.arguments': boundedText(typeof args === 'string' ? args : JSON.stringify(args ?? null)),
            'gen_ai.tool.call.result': boundedText(outcome.observation),
          });
        }
        if (!outcome.ok) span.setStatus({ code: SpanStatusCode.ERROR, message: 'the tool call failed; its observation went back to the agent' });
        return outcome;
      } catch (error) {
        span.recordException(error as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error)?.message });
        throw error;
      } finally {
        span.end();
      }
    });
  }

  private async run(name: string, rawArguments: unknown, context: ToolContext, onRecord?: (record: ToolCallRecord) => void): Promise<ToolCallOutcome> {
    const started = performance.now();
    const finish = (outcome: Omit<ToolCallOutcome, 'record' | 'retryable'> & { retryable?: boolean }, args: unknown, resultBytes: number, source: string): ToolCallOutcome => {
      const record: ToolCallRecord = {
        tool: name,
        source,
        arguments: args,
        ok: outcome.ok,
        ...(outcome.ok ? {} : { error: outcome.observation }),
        resultBytes,
        preview: outcome.observation.length > 500 ? `${outcome.observation.slice(0, 500)}…` : outcome.observation,
        durationMs: Math.round((performance.now() - started) * 100) / 100,
      };
      onRecord?.(record);
      return { retryable: false, ...outcome, record };
    };

    const tool = this.tools.get(name);
    if (!tool) {
      const known = this.names();
      return finish({ ok: false, observation: `Error: there is no tool "${name}". ${known.length ? `Use one of: ${known.join(', ')}.` : 'No tools are available; answer without them.'}` }, rawArguments, 0, 'unknown');
    }
    let input: unknown = rawArguments ?? {};
    if (typeof rawArguments === 'string') {
      try {
        input = rawArguments.trim() === '' ? {} : JSON.parse(rawArguments);
      } catch {
        return finish({ ok: false, observation: `Error: the arguments for ${name} are not valid JSON: ${rawArguments.slice(0, 200)}. Send a JSON object matching ${JSON.stringify(tool.parameters)}.` }, rawArguments, 0, tool.source);
      }
    }
    const parsed = tool.parse(input);
    if (!parsed.ok) {
      return finish({ ok: false, observation: `Error: invalid arguments for ${name}: ${parsed.problems.join('; ')}. Expected arguments matching ${JSON.stringify(tool.parameters)}.` }, input, 0, tool.source);
    }
    try {
      const result = await tool.execute(parsed.value, context);
      const text = typeof result === 'string' ? result : JSON.stringify(result ?? null);
      const bytes = Buffer.byteLength(text, 'utf8');
      const observation = text.length > this.maxObservationChars
        ? `${text.slice(0, this.maxObservationChars)}\n[truncated: the result has ${text.length} characters, only the first ${this.maxObservationChars} are shown]`
        : text;
      return finish({ ok: true, observation, result }, parsed.value, bytes, tool.source);
    } catch (error) {
      if (context.signal.aborted) throw context.signal.reason ?? error;
      const message = error instanceof Error ? error.message : String(error);
      const observation = error instanceof ToolError ? `Error: ${name}: ${message}` : `Error: ${name} failed: ${message}`;
      return finish({ ok: false, observation, retryable: !(error instanceof ToolError) || error.retryable }, parsed.value, 0, tool.source);
    }
  }
}
