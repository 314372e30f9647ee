import type { ChildWorkflows } from '@switchyard/engine-kit';
import type { TenantContext } from '@switchyard/contracts';
import { z } from 'zod';
import type { ChatMessage } from '@switchyard/llm';
import type { EngineEvent } from '@switchyard/contracts';
import { AgentExecutor, agentSystemPrompt, type ExecutorTool } from './agent-executor.ts';
import type { AgentDefinition, CrewDefinition, TaskDefinition } from './crew-definition.ts';
import type { CheckpointWriter, HumanReview, KickoffInputs, KickoffProgress, TaskOutputRecord, TaskTranscript } from './crew-checkpoint.ts';
import { CrewFailure } from './crew-failure.ts';
import type { CrewModel } from './crew-model.ts';
import { delegationTools, type DelegationRecord } from './delegation-tools.ts';
import { checkGuardrail, parseJsonOutput, type GuardrailVerdict } from './guardrails.ts';
import type { CrewTools } from '../tools/tool-registry.ts';

/** What a human sees while a task waits for review (the workflow's pendingInput). */
export interface PendingReview {
  task: string;
  agent: string;
  output: string;
  question: string;
}

export type KickoffOutcome = { kind: 'done'; output: string } | { kind: 'waiting'; pendingInput: PendingReview };

export interface CrewRunnerDeps {
  model: CrewModel;
  tools: CrewTools;
  writer: CheckpointWriter;
  emit(event: EngineEvent): void;
  signal: AbortSignal;
  /** Sub-workflows through the orchestrator, for tasks that name a `workflow`. */
  children?: ChildWorkflows;
  tenant?: TenantContext;
}

const BUILT_IN_MANAGER: AgentDefinition = {
  role: 'Crew Manager',
  goal: 'Manage the team to complete the task in the best way possible.',
  backstory:
    "You are a seasoned manager with a knack for getting the best out of your team. You delegate work to the right people and ask the right questions. You don't perform tasks yourself, but your experience lets you judge your team's work properly.",
  tools: [],
  allowDelegation: true,
  maxIter: 15,
  toolCalling: 'native',
};

const PLANNER: AgentDefinition = {
  role: 'Task Planner',
  goal: 'Write a clear step-by-step plan for every task of the crew, so each agent knows how to approach its task.',
  backstory: 'You are an expert planner who breaks work into concrete, ordered steps that fit the agent and its tools.',
  tools: [],
  allowDelegation: false,
  maxIter: 1,
  toolCalling: 'native',
};

const COWORKER_EXPECTATION = 'Your best answer to your coworker asking you this, accounting for the context shared.';
const APPROVAL = /^\s*(?:y|yes|ok|okay|approve|approved|accept|accepted|lgtm|looks good(?: to me)?|good|fine|continue|proceed|👍)\s*[.!]*\s*$/i;

/**
 * Runs a crew the way CrewAI does: tasks in order (asynchronous ones alongside, joined before the
 * next synchronous task), each by its agent (sequential) or by a manager delegating to coworkers
 * (hierarchical), with context from earlier tasks, optional planning, JSON-schema outputs,
 * guardrails with retries and human review, checkpointing after every task.
 */
export class CrewRunner {
  private readonly executor: AgentExecutor;
  // Set per kickoff: goals and backstories may hold {key} placeholders filled from its inputs.
  private agents: AgentDefinition[] = [];
  private manager: AgentDefinition = BUILT_IN_MANAGER;
  // Aborted with the run, or when one task of the kickoff fails, so asynchronous siblings stop too.
  private signal: AbortSignal;

  constructor(
    private readonly crew: CrewDefinition,
    private readonly deps: CrewRunnerDeps,
  ) {
    this.executor = new AgentExecutor(deps.model, deps.emit);
    this.signal = deps.signal;
  }

  private get checkpoint() {
    return this.deps.writer.checkpoint;
  }

  /** Run (or continue) one kickoff of the crew. */
  async kickoff(index: number): Promise<KickoffOutcome> {
    const progress = this.checkpoint.kickoffs[index]!;
    const { crew } = this;
    this.agents = crew.agents.map((agent) => withModel(fillAgent(agent, progress.inputs), crew.model));
    this.manager = withModel({ ...fillAgent(crew.manager ?? BUILT_IN_MANAGER, progress.inputs), allowDelegation: true }, crew.managerModel ?? crew.model);
    const tasks = crew.tasks.map((task) => fillTask(task, progress.inputs));
    const failed = new AbortController();
    this.signal = AbortSignal.any([this.deps.signal, failed.signal]);
    if (this.crew.planning && progress.plans === null) await this.plan(progress, tasks);

    const pending = new Map<string, Promise<unknown>>();
    const join = async (names: Iterable<string>) => {
      const waits = [...names].filter((n) => pending.has(n)).map((n) => [n, pending.get(n)!] as const);
      const settled = await Promise.allSettled(waits.map(([, p]) => p));
      for (const [n] of waits) pending.delete(n);
      const failed = settled.find((s) => s.status === 'rejected');
      if (failed) throw failed.reason;
    };
    try {
      for (const task of tasks) {
        if (progress.outputs[task.name]) continue;
        if (task.asyncExecution) {
          await join(task.context ?? []);
          const running = this.runTask(index, task, tasks);
          running.catch(() => undefined); // observed at the join
          pending.set(task.name, running);
          continue;
        }
        await join([...pending.keys()]);
        const outcome = await this.runTask(index, task, tasks);
        if (outcome.kind === 'waiting') return outcome;
      }
      await join([...pending.keys()]);
    } catch (error) {
      failed.abort(error);
      throw error;
    } finally {
      await Promise.allSettled(pending.values());
    }
    const last = tasks.at(-1)!;
    progress.output = progress.outputs[last.name]!.output;
    await this.deps.writer.save();
    return { kind: 'done', output: progress.output };
  }

  /**
   * Hand a human's answer to the task that waited for it: approval keeps the output; anything else is
   * feedback the agent revises with (once) before the crew continues.
   */
  async applyHumanAnswer(answer: unknown): Promise<void> {
    const review = this.checkpoint.waiting;
    if (!review) return;
    const feedback = feedbackText(answer);
    this.checkpoint.waiting = null;
    if (feedback === undefined) {
      this.recordOutput(review.kickoff, { task: review.task, agent: review.agent, output: review.output, json: review.json, attempts: review.attempts, humanFeedback: 'approved', completedAt: new Date().toISOString() });
      this.deps.emit({ type: 'TASK_COMPLETED', step: review.task, agent: review.agent, message: excerpt(review.output), data: { task: review.task, agent: review.agent, outputSize: review.output.length, approvedByHuman: true } });
    } else {
      this.checkpoint.transcript = {
        kickoff: review.kickoff,
        task: review.task,
        messages: [
          ...review.messages,
          { role: 'user', content: `You got human feedback on your work, re-evaluate it and give a new Final Answer when ready.\n ${feedback}` },
        ],
        iterations: 0,
        attempts: review.attempts,
        delegations: [],
        humanFeedback: feedback,
      };
    }
    await this.deps.writer.save();
  }

  private async runTask(kickoffIndex: number, task: TaskDefinition, tasks: TaskDefinition[]): Promise<{ kind: 'done' } | { kind: 'waiting'; pendingInput: PendingReview }> {
    const { emit, writer } = this.deps;
    const { signal } = this;
    const progress = this.checkpoint.kickoffs[kickoffIndex]!;
    const saved = this.checkpoint.transcript;
    const transcript = !task.asyncExecution && saved?.kickoff === kickoffIndex && saved.task === task.name ? saved : null;
    const hierarchical = this.crew.process === 'hierarchical';
    const performer = hierarchical ? this.manager : this.agentByRole(task.agent!);
    emit({
      type: 'TASK_STARTED',
      step: task.name,
      agent: performer.role,
      message: excerpt(task.description),
      data: { task: task.name, agent: performer.role, async: task.asyncExecution, kickoff: kickoffIndex, ...(transcript ? { resumed: true } : {}) },
    });

    if (task.workflow) return this.runSubWorkflowTask(kickoffIndex, task, tasks, performer);

    const delegations: DelegationRecord[] = transcript ? [...transcript.delegations] : [];
    const tools = this.toolsFor(performer, task, hierarchical, delegations);
    let messages: ChatMessage[] = transcript?.messages ?? [
      { role: 'system', content: agentSystemPrompt(performer, tools) },
      { role: 'user', content: this.taskPrompt(task, progress, tasks, hierarchical ? this.coworkersFor(task, true) : []) },
    ];
    let iterations = transcript?.iterations ?? 0;
    let attempts = transcript?.attempts ?? 1;
    const humanFeedback = transcript?.humanFeedback;
    const saveTranscript = async () => {
      if (task.asyncExecution) return;
      const next: TaskTranscript = { kickoff: kickoffIndex, task: task.name, messages, iterations, attempts, delegations: [...delegations], ...(humanFeedback !== undefined ? { humanFeedback } : {}) };
      this.checkpoint.transcript = next;
      await writer.save();
    };

    let nudged = false;
    const reviewFinalAnswer =
      hierarchical && humanFeedback === undefined
        ? (answer: string) => {
            if (delegations.length > 0) return undefined;
            if (nudged) {
              throw new CrewFailure('MANAGER_DID_NOT_DELEGATE', `Task "${task.name}": ${performer.role} answered twice without delegating to a coworker; a hierarchical manager must delegate the work.`);
            }
            nudged = true;
            return `You answered without delegating: "${excerpt(answer, 200)}". As the manager you don't perform tasks yourself. Use ${tools.map((t) => t.spec.name).join(' or ')} to have your coworkers do the work, then judge their results and give the final answer.`;
          }
        : undefined;

    let output: string;
    let json: unknown;
    for (;;) {
      const result = await this.executor.execute(
        {
          agent: performer,
          task: task.name,
          messages,
          iterations,
          tools,
          ...(reviewFinalAnswer ? { reviewFinalAnswer } : {}),
          onRound: async (round) => {
            messages = round.messages;
            iterations = round.iterations;
            await saveTranscript();
          },
        },
        signal,
      );
      messages = result.messages;
      output = result.output;
      json = undefined;
      if (task.outputJsonSchema) ({ output, json } = await this.structureOutput(task, performer, output));
      const failure = await this.firstFailedGuardrail(task, performer, output);
      if (!failure) break;
      emit({
        type: 'GUARDRAIL_FAILED',
        step: task.name,
        agent: performer.role,
        message: `${failure.guardrail}: ${failure.reason}`,
        data: { task: task.name, guardrail: failure.guardrail, reason: failure.reason, attempt: attempts },
      });
      if (attempts > task.guardrailMaxRetries) {
        throw new CrewFailure('GUARDRAIL_FAILED', `Task "${task.name}" failed its guardrail "${failure.guardrail}" after ${task.guardrailMaxRetries} retries: ${failure.reason}.`);
      }
      attempts += 1;
      iterations = 0;
      messages = [
        ...messages,
        { role: 'user', content: `### Previous attempt failed validation: ${failure.reason}\n\n\n### Previous result:\n${output}\n\n\nTry again, making sure to address the validation error.` },
      ];
      await saveTranscript();
    }

    if (task.humanInput && humanFeedback === undefined) {
      const review: HumanReview = {
        kickoff: kickoffIndex,
        task: task.name,
        agent: performer.role,
        output,
        ...(json !== undefined ? { json } : {}),
        question: `Review the output of task "${task.name}" by ${performer.role}. Reply "approved" to continue, or give feedback for the agent to revise it.`,
        messages,
        attempts,
      };
      this.checkpoint.waiting = review;
      this.checkpoint.transcript = null;
      await writer.save();
      return { kind: 'waiting', pendingInput: { task: review.task, agent: review.agent, output: review.output, question: review.question } };
    }

    this.recordOutput(kickoffIndex, {
      task: task.name,
      agent: performer.role,
      output,
      ...(json !== undefined ? { json } : {}),
      attempts,
      ...(humanFeedback !== undefined ? { humanFeedback } : {}),
      completedAt: new Date().toISOString(),
    });
    if (!task.asyncExecution) this.checkpoint.transcript = null;
    await writer.save();
    emit({
      type: 'TASK_COMPLETED',
      step: task.name,
      agent: performer.role,
      message: excerpt(output),
      data: { task: task.name, agent: performer.role, outputSize: output.length, attempts, ...(json !== undefined ? { json } : {}), ...(humanFeedback !== undefined ? { revisedAfterHumanFeedback: true } : {}) },
    });
    return { kind: 'done' };
  }

  /**
   * A task done by another engine: a child workflow started through the orchestrator with an
   * idempotency key per crew, kickoff and task, so a crew continued after a crash finds the child it
   * started instead of starting another.
   */
  private async runSubWorkflowTask(kickoffIndex: number, task: TaskDefinition, tasks: TaskDefinition[], performer: AgentDefinition): Promise<{ kind: 'done' }> {
    const { emit, writer, children, tenant } = this.deps;
    const spec = task.workflow!;
    if (!children || !tenant) throw new CrewFailure('SUBWORKFLOW_UNAVAILABLE', `Task "${task.name}" runs a ${spec.framework} sub-workflow, but this engine cannot reach the orchestrator.`);
    const progress = this.checkpoint.kickoffs[kickoffIndex]!;
    const child = await children.runUntilSettled({
      tenant,
      idempotencyKey: `${this.checkpoint.workflowId}:crew:${kickoffIndex}:${task.name}`,
      input: spec.input ?? this.taskPrompt(task, progress, tasks, []),
      framework: spec.framework,
      definition: spec.definition ?? null,
      signal: this.signal,
    });
    emit({ type: 'CHILD_WORKFLOW', step: task.name, agent: performer.role, message: `${spec.framework} sub-workflow ${child.id}: ${child.status}`, data: { childWorkflowId: child.id, framework: spec.framework, status: child.status } });
    if (child.status !== 'SUCCEEDED') {
      throw new CrewFailure('SUBWORKFLOW_FAILED', `Task "${task.name}": its ${spec.framework} sub-workflow ${child.id} ended ${child.status}${child.error ? `: ${child.error}` : ''}.`);
    }
    const output = child.output ?? '';
    this.recordOutput(kickoffIndex, { task: task.name, agent: performer.role, output, attempts: 1, completedAt: new Date().toISOString() });
    await writer.save();
    emit({ type: 'TASK_COMPLETED', step: task.name, agent: performer.role, message: excerpt(output), data: { task: task.name, agent: performer.role, outputSize: output.length, attempts: 1, childWorkflowId: child.id } });
    return { kind: 'done' };
  }

  private recordOutput(kickoffIndex: number, record: TaskOutputRecord): void {
    this.checkpoint.kickoffs[kickoffIndex]!.outputs[record.task] = record;
  }

  private agentByRole(role: string): AgentDefinition {
    return this.agents.find((a) => a.role.toLowerCase() === role.toLowerCase())!;
  }

  /** Hierarchical: only the task's agent when it names one, else every agent. Sequential: the other agents. */
  private coworkersFor(task: TaskDefinition, hierarchical: boolean, performer?: AgentDefinition): AgentDefinition[] {
    if (hierarchical) return task.agent ? [this.agentByRole(task.agent)] : this.agents;
    return this.agents.filter((a) => a.role !== performer?.role);
  }

  private toolsFor(performer: AgentDefinition, task: TaskDefinition, hierarchical: boolean, delegations: DelegationRecord[]): ExecutorTool[] {
    const tools = this.registryTools(performer);
    const coworkers = this.coworkersFor(task, hierarchical, performer);
    if ((hierarchical || performer.allowDelegation) && coworkers.length > 0) {
      tools.push(
        ...delegationTools({
          from: performer,
          coworkers,
          task: task.name,
          maxDelegations: this.crew.maxDelegations,
          records: delegations,
          emit: this.deps.emit,
          runCoworker: (coworker, request, context, kind, signal) => this.runCoworker(task, coworker, request, context, kind, signal),
        }),
      );
    }
    return tools;
  }

  private registryTools(agent: AgentDefinition): ExecutorTool[] {
    return agent.tools.map((name) => ({ spec: this.deps.tools.spec(name), run: (args) => this.deps.tools.run(name, args) }));
  }

  // Coworkers get their own tools but no delegation tools, so delegation cannot recurse.
  private async runCoworker(task: TaskDefinition, coworker: AgentDefinition, request: string, context: string, _kind: 'work' | 'question', signal: AbortSignal): Promise<string> {
    const tools = this.registryTools(coworker);
    const prompt = `Current Task: ${request}\n\nThis is the expected criteria for your final answer: ${COWORKER_EXPECTATION}\nyou MUST return the actual complete content as the final answer, not a summary.${
      context.trim() ? `\n\nThis is the context you're working with:\n${context}` : ''
    }\n\nBegin! This is VERY important to you, use the tools available and give your best Final Answer, your job depends on it!`;
    const result = await this.executor.execute(
      { agent: coworker, task: task.name, tools, messages: [{ role: 'system', content: agentSystemPrompt(coworker, tools) }, { role: 'user', content: prompt }] },
      signal,
    );
    return result.output;
  }

  private taskPrompt(task: TaskDefinition, progress: KickoffProgress, tasks: TaskDefinition[], coworkers: AgentDefinition[]): string {
    const parts = [`Current Task: ${task.description}`];
    parts.push(`This is the expected criteria for your final answer: ${task.expectedOutput}\nyou MUST return the actual complete content as the final answer, not a summary.`);
    const plan = progress.plans?.[task.name];
    if (plan) parts.push(`Plan for this task:\n${plan}`);
    if (coworkers.length > 0) {
      parts.push(
        `Your coworkers: ${coworkers.map((c) => `${c.role} (${c.goal})`).join('; ')}. Delegate the work to them or ask them questions with your tools, judge what they give you, and then give the final answer yourself.`,
      );
    }
    const context = this.contextFor(task, progress, tasks);
    if (context) parts.push(`This is the context you're working with:\n${context}`);
    parts.push('Begin! This is VERY important to you, use the tools available and give your best Final Answer, your job depends on it!');
    return parts.join('\n\n');
  }

  /** Outputs of the tasks named in `context`, or of every task completed so far when none are named. */
  private contextFor(task: TaskDefinition, progress: KickoffProgress, tasks: TaskDefinition[]): string {
    const names = task.context ?? tasks.slice(0, tasks.indexOf(task)).map((t) => t.name);
    return names
      .map((name) => progress.outputs[name])
      .filter((o): o is TaskOutputRecord => o !== undefined)
      .map((o) => `Output of task "${o.task}" (${o.agent}):\n${o.output}`)
      .join('\n\n----------\n\n');
  }

  private async firstFailedGuardrail(task: TaskDefinition, performer: AgentDefinition, output: string): Promise<(GuardrailVerdict & { guardrail: string }) | undefined> {
    for (const guardrail of task.guardrails) {
      const verdict = await checkGuardrail(guardrail, output, (rule, text) => this.judge(task, performer, rule, text));
      if (!verdict.pass) return { ...verdict, guardrail };
    }
    return undefined;
  }

  private async judge(task: TaskDefinition, performer: AgentDefinition, rule: string, output: string): Promise<GuardrailVerdict> {
    const reply = await this.deps.model.chat(
      {
        ...(performer.model !== undefined ? { model: performer.model } : {}),
        messages: [
          { role: 'system', content: 'You are a strict reviewer. You check whether a piece of work satisfies a rule, and explain your verdict in one sentence.' },
          { role: 'user', content: `Does this output satisfy the rule "${rule}"? Answer JSON {"pass": boolean, "reason": string}.\n\nOutput:\n${output}` },
        ],
        responseFormat: { type: 'json_schema', name: 'guardrail_verdict', strict: true, schema: VERDICT_JSON_SCHEMA },
      },
      { agent: 'Guardrail Judge', task: task.name },
      this.signal,
    );
    const parsed = Verdict.safeParse(parseJsonOutput(reply.content ?? ''));
    return parsed.success ? parsed.data : { pass: false, reason: `the judge's verdict on "${rule}" was not valid JSON` };
  }

  /** CrewAI's converter: turn the final answer into JSON matching the task's schema, retrying with the validation error. */
  private async structureOutput(task: TaskDefinition, performer: AgentDefinition, raw: string): Promise<{ output: string; json: unknown }> {
    const schema = task.outputJsonSchema!;
    const validator = z.fromJSONSchema(schema as Parameters<typeof z.fromJSONSchema>[0]);
    const messages: ChatMessage[] = [
      { role: 'system', content: 'You convert text into JSON that matches a JSON Schema exactly. Reply with the JSON object only, without code fences.' },
      { role: 'user', content: `Convert this result into JSON that matches the schema.\n\nSchema:\n${JSON.stringify(schema)}\n\nResult:\n${raw}` },
    ];
    let problem = '';
    for (let attempt = 0; attempt <= task.guardrailMaxRetries; attempt++) {
      const reply = await this.deps.model.chat(
        {
          ...(performer.model !== undefined ? { model: performer.model } : {}),
          messages,
          responseFormat: { type: 'json_schema', name: 'task_output', schema, strict: false },
        },
        { agent: performer.role, task: task.name },
        this.signal,
      );
      const content = reply.content ?? '';
      const value = parseJsonOutput(content);
      const checked = value === undefined ? undefined : validator.safeParse(value);
      if (checked?.success) return { output: JSON.stringify(checked.data, null, 2), json: checked.data };
      problem = checked ? checked.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ') : 'the reply is not valid JSON';
      this.deps.emit({ type: 'OUTPUT_VALIDATION_FAILED', step: task.name, agent: performer.role, message: problem, data: { task: task.name, attempt: attempt + 1 } });
      messages.push({ role: 'assistant', content }, { role: 'user', content: `That does not match the schema: ${problem}. Reply again with corrected JSON only.` });
    }
    throw new CrewFailure('OUTPUT_SCHEMA_FAILED', `Task "${task.name}": the output did not match its outputJsonSchema after ${task.guardrailMaxRetries} retries: ${problem}.`);
  }

  /** CrewAI's planning: one planner call writes a step plan for every task before the crew starts. */
  private async plan(progress: KickoffProgress, tasks: TaskDefinition[]): Promise<void> {
    const { emit } = this.deps;
    emit({ type: 'STEP_STARTED', step: 'planning', agent: PLANNER.role, message: `Planning ${tasks.length} tasks` });
    const summary = tasks
      .map((task, i) => {
        const agent = task.agent ? this.agentByRole(task.agent) : undefined;
        return `Task ${i + 1} "${task.name}": ${task.description}\nExpected output: ${task.expectedOutput}\nAgent: ${agent ? `${agent.role} (goal: ${agent.goal}; tools: ${agent.tools.join(', ') || 'none'})` : 'assigned by the manager'}`;
      })
      .join('\n\n');
    const schema = {
      type: 'object',
      properties: Object.fromEntries(tasks.map((t) => [t.name, { type: 'string', description: `Step-by-step plan for task "${t.name}"` }])),
      required: tasks.map((t) => t.name),
      additionalProperties: false,
    };
    const reply = await this.deps.model.chat(
      {
        ...(this.crew.planningModel ?? this.crew.model ? { model: this.crew.planningModel ?? this.crew.model } : {}),
        messages: [
          { role: 'system', content: agentSystemPrompt(PLANNER, []) },
          { role: 'user', content: `Write a step-by-step plan for each of these tasks, keyed by task name.\n\n${summary}` },
        ],
        responseFormat: { type: 'json_schema', name: 'task_plans', strict: true, schema },
      },
      { agent: PLANNER.role, task: 'planning' },
      this.signal,
    );
    const value = parseJsonOutput(reply.content ?? '');
    const plans: Record<string, string> = {};
    for (const task of tasks) {
      const plan = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[task.name] : undefined;
      if (typeof plan === 'string' && plan.trim()) plans[task.name] = plan.trim();
    }
    progress.plans = plans;
    await this.deps.writer.save();
    emit({ type: 'STEP_COMPLETED', step: 'planning', agent: PLANNER.role, message: `Planned ${Object.keys(plans).length} of ${tasks.length} tasks`, data: { plans } });
  }
}

const Verdict = z.object({ pass: z.boolean(), reason: z.string() });
const VERDICT_JSON_SCHEMA = { type: 'object', properties: { pass: { type: 'boolean' }, reason: { type: 'string' } }, required: ['pass', 'reason'], additionalProperties: false };

function withModel(agent: AgentDefinition, model: string | undefined): AgentDefinition {
  return agent.model === undefined && model !== undefined ? { ...agent, model } : agent;
}

/** `{key}` placeholders in a task's texts filled from the kickoff's inputs; unknown ones stay as written. */
function fillTask(task: TaskDefinition, inputs: KickoffInputs): TaskDefinition {
  return { ...task, description: fill(task.description, inputs), expectedOutput: fill(task.expectedOutput, inputs) };
}

function fillAgent(agent: AgentDefinition, inputs: KickoffInputs): AgentDefinition {
  return { ...agent, goal: fill(agent.goal, inputs), backstory: fill(agent.backstory, inputs) };
}

export function fill(text: string, inputs: KickoffInputs): string {
  return text.replace(/\{([A-Za-z_][\w-]*)\}/g, (whole, key: string) => (key in inputs ? String(inputs[key]) : whole));
}

/** undefined when the answer approves the output; the feedback text otherwise. */
export function feedbackText(answer: unknown): string | undefined {
  if (answer === undefined || answer === null || answer === true) return undefined;
  if (typeof answer === 'string') return answer.trim() === '' || APPROVAL.test(answer) ? undefined : answer.trim();
  if (typeof answer === 'object' && !Array.isArray(answer)) {
    const record = answer as Record<string, unknown>;
    const text = [record['feedback'], record['comment'], record['comments'], record['text']].find((v) => typeof v === 'string' && v.trim() !== '') as string | undefined;
    if (text !== undefined) return feedbackText(text);
    if (record['approved'] === true || record['approve'] === true) return undefined;
  }
  return JSON.stringify(answer);
}

const excerpt = (text: string, max = 500) => (text.length > max ? `${text.slice(0, max)}…` : text);
