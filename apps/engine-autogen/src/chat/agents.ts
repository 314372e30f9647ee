import type { ChatMessage as LlmMessage, ToolSpec } from '@switchyard/llm';
import { extractCodeBlocks, type CodeExecutor } from '@switchyard/code-sandbox';
import type { EngineEvent, TokenUsageTotals } from '@switchyard/contracts';
import type { AssistantSpec, ParticipantSpec } from '../definition/team-definition.ts';
import type { RunTools } from '@switchyard/engine-kit';
import type { ModelCaller } from '../runtime/model-calls.ts';
import { addUsage, ZERO_USAGE, type ChatMessage, type ToolExchange } from './chat-message.ts';

/** What an agent gets for one turn. */
export interface TurnContext {
  thread: readonly ChatMessage[];
  callModel: ModelCaller;
  emit(event: EngineEvent): void;
  signal: AbortSignal;
  codeExecutor: CodeExecutor;
}

/** A turn either produces a message or needs a person's input first (a user proxy). */
export type TurnOutcome = { message: ChatMessage } | { waitForInput: true };

export interface ChatAgent {
  readonly name: string;
  readonly description: string;
  respond(context: TurnContext): Promise<TurnOutcome>;
}

const HANDOFF_PREFIX = 'transfer_to_';

export function createAgent(spec: ParticipantSpec, tools: RunTools): ChatAgent {
  switch (spec.type) {
    case 'assistant':
      return new AssistantAgent(spec, tools);
    case 'user_proxy':
      return { name: spec.name, description: spec.description ?? 'A human user.', respond: async () => ({ waitForInput: true }) };
    case 'code_executor':
      return new CodeExecutorAgent(spec.name, spec.description ?? 'A computer terminal that runs the code it receives.', spec.sources);
  }
}

/**
 * AutoGen's AssistantAgent: answers from its model context (its system message, the other agents'
 * messages as user messages, its own earlier turns with their tool calls); calls tools for up to
 * maxToolIterations model calls; a `transfer_to_<agent>` call ends the turn with a handoff; after
 * tools, either reflects (one more model call) or returns a summary of the tool results.
 */
export class AssistantAgent implements ChatAgent {
  readonly name: string;
  readonly description: string;
  private readonly tools: ToolSpec[];

  constructor(
    private readonly spec: AssistantSpec,
    private readonly runTools: RunTools,
  ) {
    this.name = spec.name;
    this.description = spec.description ?? 'An agent that provides assistance with ability to use tools.';
    this.tools = [
      // A tool the tenant disabled after the chat started is no longer offered.
      ...spec.tools.filter((name) => runTools.registry.has(name)).map((name) => runTools.registry.spec(name)),
      ...spec.handoffs.map((target) => ({
        name: `${HANDOFF_PREFIX}${target}`,
        description: `Handoff to ${target}.`,
        parameters: { type: 'object', properties: {} },
      })),
    ];
  }

  async respond(context: TurnContext): Promise<TurnOutcome> {
    const messages = this.modelContext(context.thread);
    const rounds: ToolExchange[][] = [];
    let usage: TokenUsageTotals = ZERO_USAGE;
    const at = () => new Date().toISOString();

    for (let iteration = 0; iteration < this.spec.maxToolIterations; iteration++) {
      const result = await context.callModel(this.name, {
        model: this.spec.model,
        messages: [...messages, ...roundsToMessages(rounds)],
        ...(this.tools.length > 0 ? { tools: this.tools } : {}),
      });
      usage = addUsage(usage, { input: result.usage.inputTokens, output: result.usage.outputTokens, cached: result.usage.cachedTokens });
      if (result.toolCalls.length === 0) {
        return { message: { source: this.name, kind: 'text', content: result.content ?? '', usage, ...(rounds.length ? { toolRounds: rounds } : {}), at: at() } };
      }
      const exchanges: ToolExchange[] = [];
      for (const call of result.toolCalls) exchanges.push(await this.runTool(call, context));
      rounds.push(exchanges);
      const handoff = result.toolCalls.find((call) => call.name.startsWith(HANDOFF_PREFIX));
      if (handoff) {
        const target = handoff.name.slice(HANDOFF_PREFIX.length);
        return { message: { source: this.name, kind: 'handoff', target, content: handoffText(target), usage, toolRounds: rounds, at: at() } };
      }
    }

    if (this.spec.reflectOnToolUse) {
      const result = await context.callModel(this.name, { model: this.spec.model, messages: [...messages, ...roundsToMessages(rounds)] });
      usage = addUsage(usage, { input: result.usage.inputTokens, output: result.usage.outputTokens, cached: result.usage.cachedTokens });
      return { message: { source: this.name, kind: 'text', content: result.content ?? '', usage, toolRounds: rounds, at: at() } };
    }
    const content = rounds.at(-1)!.map((exchange) => exchange.result).join('\n');
    return { message: { source: this.name, kind: 'tool_summary', content, usage, toolRounds: rounds, at: at() } };
  }

  private async runTool(call: { id: string; name: string; arguments: string }, context: TurnContext): Promise<ToolExchange> {
    if (call.name.startsWith(HANDOFF_PREFIX)) {
      const result = handoffText(call.name.slice(HANDOFF_PREFIX.length));
      context.emit({ type: 'TOOL_CALL', step: this.name, agent: this.name, message: call.name, data: { callId: call.id, tool: call.name, handoff: true, ok: true } });
      return { call, result, isError: false };
    }
    // Only the tools the definition gives this assistant; the registry turns every failure into an observation.
    const outcome = this.spec.tools.includes(call.name)
      ? await this.runTools.call(call.name, call.arguments)
      : { ok: false, observation: `Error: the tool "${call.name}" is not available to ${this.name}. Use one of: ${this.spec.tools.join(', ') || 'none'}.`, record: null };
    context.emit({
      type: 'TOOL_CALL',
      step: this.name,
      agent: this.name,
      message: `${call.name}(${call.arguments.slice(0, 200)})${outcome.ok ? '' : ' failed'}`,
      data: { callId: call.id, ...(outcome.record ?? { tool: call.name, arguments: call.arguments, ok: false, error: outcome.observation, resultBytes: 0, durationMs: 0 }) },
    });
    return { call, result: outcome.observation, isError: !outcome.ok };
  }

  /** The model context AutoGen's assistant keeps, rebuilt from the thread. */
  private modelContext(thread: readonly ChatMessage[]): LlmMessage[] {
    const messages: LlmMessage[] = [];
    if (this.spec.systemMessage) messages.push({ role: 'system', content: this.spec.systemMessage });
    for (const message of thread) {
      if (message.source === this.name) {
        messages.push(...roundsToMessages(message.toolRounds ?? []));
        if (message.kind === 'text') messages.push({ role: 'assistant', content: message.content, name: this.name });
      } else {
        messages.push({ role: 'user', content: message.content, name: message.source });
      }
    }
    return messages;
  }
}

function handoffText(target: string): string {
  return target === 'user' ? 'Transferred to the user.' : `Transferred to ${target}, adopting the role of ${target} immediately.`;
}

function roundsToMessages(rounds: ToolExchange[][]): LlmMessage[] {
  return rounds.flatMap((round) => [
    { role: 'assistant' as const, content: null, toolCalls: round.map((exchange) => exchange.call) },
    ...round.map((exchange) => ({ role: 'tool' as const, content: exchange.result, toolCallId: exchange.call.id })),
  ]);
}

/**
 * AutoGen's CodeExecutorAgent: runs the fenced code blocks of the messages since its last turn
 * (optionally only those from `sources`) and answers with the exit code, stdout and stderr.
 */
export class CodeExecutorAgent implements ChatAgent {
  constructor(
    readonly name: string,
    readonly description: string,
    private readonly sources?: string[],
  ) {}

  async respond(context: TurnContext): Promise<TurnOutcome> {
    const at = new Date().toISOString();
    let lastOwn = -1;
    context.thread.forEach((message, index) => {
      if (message.source === this.name) lastOwn = index;
    });
    const blocks = context.thread
      .slice(lastOwn + 1)
      .filter((message) => !this.sources || this.sources.includes(message.source))
      .flatMap((message) => extractCodeBlocks(message.content));
    if (blocks.length === 0) {
      return {
        message: {
          source: this.name,
          kind: 'text',
          content: 'No code blocks found in the thread. Please provide at least one markdown-encoded code block to execute (i.e., quoting code in ```python or ```javascript code blocks).',
          at,
        },
      };
    }
    const result = await context.codeExecutor.execute(blocks, { signal: context.signal });
    context.emit({
      type: 'CODE_EXECUTION',
      step: this.name,
      agent: this.name,
      message: `${result.language} exited with code ${result.exitCode}${result.timedOut ? ' (timed out)' : ''}`,
      data: { language: result.language, exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr, timedOut: result.timedOut, memoryExceeded: result.memoryExceeded, durationMs: result.durationMs, blocks: blocks.length },
    });
    const content = [`exit code: ${result.exitCode}`, `stdout:\n${result.stdout.trimEnd() || '(empty)'}`, `stderr:\n${result.stderr.trimEnd() || '(empty)'}`].join('\n');
    return { message: { source: this.name, kind: 'code_execution', content, at } };
  }
}
