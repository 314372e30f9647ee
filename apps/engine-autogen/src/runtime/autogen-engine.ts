import type { LlmClient } from '@switchyard/llm';
import type { DocumentStore } from '@switchyard/store';
import type { CodeExecutor } from '@switchyard/code-sandbox';
import { WorkflowEventType, type EngineRunRequest, type EngineRunResult, type TenantContext, type TokenUsageTotals } from '@switchyard/contracts';
import { TenantToolbox, type Engine, type EngineRunIO, type RunTools } from '@switchyard/engine-kit';
import { resolveDefinition } from '../definition/resolve-definition.ts';
import { createAgent, type ChatAgent } from '../chat/agents.ts';
import type { ChatMessage } from '../chat/chat-message.ts';
import { ChatStateStore, type GroupChatDoc } from '../chat/chat-state-store.ts';
import { evaluateTermination } from '../chat/termination.ts';
import { lastSpeaker, selectRoundRobin, selectSwarm, selectWithModel, type SpeakerChoice } from '../chat/speaker-selection.ts';
import { modelCaller, type ModelCaller } from './model-calls.ts';
import { fromNativeState, toNativeState } from './state-translation.ts';

/** Gives each workflow its code executor (a dynamic session per workflow in production). */
export type CodeExecutorFactory = (tenantId: string, workflowId: string) => CodeExecutor;

/**
 * Runs workflows as AutoGen AgentChat group chats (round robin, selector, swarm) on the platform's
 * model client. The chat is saved after every message; posting the same workflow again continues
 * it, and a chat waiting for a person continues with `resume` as that person's message.
 */
export class AutoGenEngine implements Engine {
  private readonly chats: ChatStateStore;

  constructor(
    private readonly llm: LlmClient,
    store: DocumentStore,
    private readonly codeExecutorFor: CodeExecutorFactory,
    /** The tenant's tools for each run; without the tenants service, the platform's default tools. */
    private readonly toolbox: TenantToolbox = new TenantToolbox({ subject: 'service:engine-autogen', codeExecutor: codeExecutorFor }),
  ) {
    this.chats = new ChatStateStore(store);
  }

  async validate(definition: unknown, tenant: TenantContext): Promise<string[]> {
    if (definition === null || definition === undefined) return [];
    const resolved = resolveDefinition(definition, '', await this.toolbox.toolNames(tenant));
    return resolved.ok ? [] : resolved.problems;
  }

  async run(request: EngineRunRequest, io: EngineRunIO): Promise<EngineRunResult> {
    const { state } = request;
    const tools = await this.toolbox.forRun(io.tenant, state.workflowId, io.signal);
    const loaded = await this.chats.load(state.tenantId, state.workflowId);
    let doc: GroupChatDoc;
    let etag: string;
    if (loaded) {
      ({ doc, etag } = loaded);
      if (doc.status === 'finished') return finished(doc);
      if (doc.status === 'running') io.emit({ type: WorkflowEventType.STEP_STARTED, step: 'recovery', message: `Continuing the chat after message ${doc.thread.length} (turn ${doc.turn})` });
    } else {
      const resolved = resolveDefinition(request.definition, state.userInput, tools.registry.names());
      if (!resolved.ok) return { status: 'FAILED', error: `Invalid AutoGen team definition: ${resolved.problems.join('; ')}`, code: 'BAD_DEFINITION' };
      doc = toNativeState(state, resolved.team, resolved.template);
      etag = await this.chats.save(doc, null);
      io.emit({
        type: WorkflowEventType.STEP_STARTED,
        step: 'group-chat',
        message: `${resolved.template ?? 'custom team'}: ${resolved.team.type.replace('_', ' ')} chat with ${resolved.team.participants.map((p) => p.name).join(', ')}`,
        data: { team: resolved.team.type, template: resolved.template, participants: resolved.team.participants.map((p) => ({ name: p.name, type: p.type })) },
      });
      io.emit({ type: WorkflowEventType.AGENT_MESSAGE, agent: 'user', message: state.userInput, data: { kind: 'task', index: 0 } });
    }
    return new GroupChatRun(doc, etag, this.chats, this.llm, this.codeExecutorFor(state.tenantId, state.workflowId), tools, io).continue(request.resume);
  }
}

/** One run of a chat: from where it was saved until it finishes, waits for a person, or is stopped. */
class GroupChatRun {
  private readonly agents: Map<string, ChatAgent>;
  private readonly callModel: ModelCaller;
  private readonly startedAt = Date.now();
  private readonly elapsedBefore: number;

  constructor(
    private doc: GroupChatDoc,
    private etag: string,
    private readonly chats: ChatStateStore,
    llm: LlmClient,
    private readonly codeExecutor: CodeExecutor,
    tools: RunTools,
    private readonly io: EngineRunIO,
  ) {
    this.agents = new Map(doc.team.participants.map((spec) => [spec.name, createAgent(spec, tools)]));
    this.elapsedBefore = doc.elapsedMs;
    this.callModel = modelCaller(llm, io, (agent, usage) => this.countUsage(agent, usage));
  }

  async continue(resume: unknown): Promise<EngineRunResult> {
    if (this.doc.waitingFor) {
      if (resume === undefined) return this.waiting();
      await this.acceptInput(this.doc.waitingFor, resumeText(resume));
    }
    for (;;) {
      // Cancellation (io.signal) always stops the chat, also mid-turn; the `external` condition only names it in a definition.
      if (this.io.signal.aborted) return { status: 'CANCELLED' };
      const verdict = this.stopReason();
      if (verdict) return this.finish(verdict);

      // A speaker chosen before a crash keeps the turn: the selector is not asked twice.
      const speaker = this.doc.nextSpeaker ?? (await this.chooseSpeaker());
      const agent = this.agents.get(speaker);
      const outcome = agent
        ? await agent.respond({ thread: this.doc.thread, callModel: this.callModel, emit: (event) => this.io.emit(event), signal: this.io.signal, codeExecutor: this.codeExecutor })
        : // "user" took the conversation in a swarm: the person answers, as to a user proxy.
          { waitForInput: true as const };
      if (this.io.signal.aborted) return { status: 'CANCELLED' };
      if ('waitForInput' in outcome) {
        this.doc.waitingFor = speaker;
        this.doc.nextSpeaker = null;
        this.doc.status = 'waiting';
        await this.save();
        return this.waiting();
      }
      await this.append(outcome.message);
    }
  }

  /** Pick the next speaker as the team type does, remember the choice, and report it. */
  private async chooseSpeaker(): Promise<string> {
    const { team, thread } = this.doc;
    const choice: SpeakerChoice =
      team.type === 'round_robin' ? selectRoundRobin(team, thread) : team.type === 'swarm' ? selectSwarm(team, thread) : await selectWithModel(team, thread, this.doc.previousSpeaker, this.callModel);
    this.doc.nextSpeaker = choice.speaker;
    if (team.type === 'selector') this.doc.previousSpeaker = choice.speaker;
    await this.save();
    this.io.emit({
      type: 'SPEAKER_SELECTED',
      agent: choice.speaker,
      message: `${choice.speaker} speaks next (${choice.method.replace('_', ' ')})`,
      data: { speaker: choice.speaker, method: choice.method, attempts: choice.attempts, turn: this.doc.turn + 1, ...(choice.candidates ? { candidates: choice.candidates } : {}) },
    });
    return choice.speaker;
  }

  private stopReason(): string | null {
    const { team, thread, turn } = this.doc;
    if (team.termination) {
      const verdict = evaluateTermination(team.termination, { thread, elapsedMs: this.elapsed(), externalStop: this.io.signal.aborted });
      if (verdict) return verdict;
    }
    if (turn >= team.maxTurns) return `Maximum number of turns ${team.maxTurns} reached.`;
    return null;
  }

  /** Add a message to the thread, save the chat, then report it (a message is never reported twice). */
  private async append(message: ChatMessage): Promise<void> {
    this.doc.thread = [...this.doc.thread, message];
    this.doc.turn += 1;
    this.doc.nextSpeaker = null;
    await this.save();
    const index = this.doc.thread.length - 1;
    this.io.emit({
      type: WorkflowEventType.AGENT_MESSAGE,
      step: message.source,
      agent: message.source,
      message: message.content,
      data: { kind: message.kind, index, turn: this.doc.turn, ...(message.target ? { target: message.target } : {}), ...(message.usage ? { usage: message.usage } : {}) },
    });
    if (message.kind === 'handoff' && message.target) {
      this.io.emit({ type: 'HANDOFF', step: message.source, agent: message.source, message: `${message.source} → ${message.target}`, data: { from: message.source, target: message.target, index } });
    }
  }

  private async acceptInput(from: string, text: string): Promise<void> {
    this.doc.waitingFor = null;
    this.doc.status = 'running';
    // In a swarm the person answers the agent that handed over, which takes the conversation back.
    const handedOver = this.doc.team.type === 'swarm' && !this.agents.has(from) ? [...this.doc.thread].reverse().find((m) => m.kind === 'handoff' && m.target === from) : undefined;
    await this.append(
      handedOver
        ? { source: from, kind: 'handoff', target: handedOver.source, content: text, at: new Date().toISOString() }
        : { source: from, kind: 'user_input', content: text, at: new Date().toISOString() },
    );
  }

  private waiting(): EngineRunResult {
    const last = this.doc.thread.at(-1)!;
    const asker = lastSpeaker(this.doc.thread) ?? 'user';
    return {
      status: 'WAITING_FOR_INPUT',
      pendingInput: {
        agent: this.doc.waitingFor,
        question: last.content,
        from: asker,
        prompt: `${asker} is waiting for your reply; send it as the resume value (a string or {"message": "..."}).`,
      },
      state: fromNativeState(this.doc).frameworkState,
    };
  }

  private async finish(reason: string): Promise<EngineRunResult> {
    this.doc.status = 'finished';
    this.doc.stopReason = reason;
    await this.save();
    this.io.emit({ type: WorkflowEventType.STEP_COMPLETED, step: 'group-chat', message: reason, data: { stopReason: reason, messages: this.doc.thread.length, turns: this.doc.turn } });
    return finished(this.doc);
  }

  private countUsage(agent: string, usage: TokenUsageTotals): void {
    const before = this.doc.usageByAgent[agent] ?? { input: 0, output: 0, cached: 0, calls: 0 };
    this.doc.usageByAgent = {
      ...this.doc.usageByAgent,
      [agent]: { input: before.input + usage.input, output: before.output + usage.output, cached: before.cached + usage.cached, calls: before.calls + 1 },
    };
  }

  private elapsed(): number {
    return this.elapsedBefore + (Date.now() - this.startedAt);
  }

  private async save(): Promise<void> {
    this.doc.elapsedMs = this.elapsed();
    this.etag = await this.chats.save(this.doc, this.etag);
  }
}

function finished(doc: GroupChatDoc): EngineRunResult {
  const { output, frameworkState } = fromNativeState(doc);
  return { status: 'SUCCEEDED', output, state: frameworkState };
}

/** The person's answer as message text: a string, or the message/text/answer field of an object. */
export function resumeText(resume: unknown): string {
  if (typeof resume === 'string') return resume;
  if (resume && typeof resume === 'object') {
    for (const key of ['message', 'text', 'answer', 'content', 'input']) {
      const value = (resume as Record<string, unknown>)[key];
      if (typeof value === 'string') return value;
    }
  }
  return JSON.stringify(resume);
}
