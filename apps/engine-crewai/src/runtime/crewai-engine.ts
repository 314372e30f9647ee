import type { LlmClient } from '@switchyard/llm';
import type { DocumentStore } from '@switchyard/store';
import { WorkflowEventType, type EngineRunRequest, type EngineRunResult, type TenantContext } from '@switchyard/contracts';
import { LocalSandboxExecutor } from '@switchyard/code-sandbox';
import { TenantToolbox, type ChildWorkflows, type Engine, type EngineRunIO } from '@switchyard/engine-kit';
import { CrewCheckpointStore, type CheckpointWriter, type CrewCheckpoint, type HumanReview } from '../crew/crew-checkpoint.ts';
import { CrewFailure } from '../crew/crew-failure.ts';
import { CrewModel } from '../crew/crew-model.ts';
import { CrewRunner } from '../crew/crew-runner.ts';
import { resolveCrewDefinition } from '../crew/definition-resolver.ts';
import { UsageLedger } from '../crew/usage-ledger.ts';
import { CrewTools } from '../tools/tool-registry.ts';
import { crewOutput, frameworkState, kickoffInputs } from './state-translation.ts';

/**
 * Runs workflows as CrewAI-style crews on libs/llm. The definition is validated before anything runs
 * (FAILED with code BAD_DEFINITION naming the bad path). Progress is checkpointed in the engine's store
 * per tenant and workflow after every task, so posting the same workflow again continues from the last
 * completed task (and the in-flight task's transcript), waits again for a human, or answers a finished
 * run without calling the model.
 */
export class CrewAIEngine implements Engine {
  private readonly checkpoints: CrewCheckpointStore;
  constructor(
    private readonly llm: LlmClient,
    store: DocumentStore,
    private readonly children?: ChildWorkflows,
    /** The tenant's tools for each run; without the tenants service, the platform's default tools. */
    private readonly toolbox: TenantToolbox = new TenantToolbox({ subject: 'service:engine-crewai', codeExecutor: new LocalSandboxExecutor() }),
  ) {
    this.checkpoints = new CrewCheckpointStore(store);
  }

  /** The orchestrator asks this before it accepts a workflow, so a bad crew is refused at startWorkflow. */
  async validate(definition: unknown, tenant: TenantContext): Promise<string[]> {
    if (definition === null || definition === undefined) return [];
    const resolved = resolveCrewDefinition(definition, '', await this.toolbox.toolNames(tenant));
    return resolved.ok ? [] : resolved.message.split('; ');
  }

  async run(request: EngineRunRequest, io: EngineRunIO): Promise<EngineRunResult> {
    const { state } = request;
    const tools = new CrewTools(await this.toolbox.forRun(io.tenant, state.workflowId, io.signal));
    const resolved = resolveCrewDefinition(request.definition, state.userInput, tools.names());
    if (!resolved.ok) return { status: 'FAILED', error: `Invalid crew definition: ${resolved.message}`, code: 'BAD_DEFINITION' };
    const { crew } = resolved;

    const saved = await this.checkpoints.load(state.tenantId, state.workflowId);
    if (saved?.result) return { status: 'SUCCEEDED', output: saved.result.output, state: saved.result.state };
    if (saved?.waiting && request.resume === undefined) return waitingFor(saved.waiting, saved, crew);

    const checkpoint: CrewCheckpoint = saved ?? {
      id: state.workflowId,
      tenantId: state.tenantId,
      workflowId: state.workflowId,
      template: resolved.template,
      kickoffs: kickoffInputs(state, crew).map((inputs) => ({ inputs, plans: null, outputs: {}, output: null })),
      transcript: null,
      waiting: null,
      usage: null,
      result: null,
      updatedAt: new Date().toISOString(),
    };
    const ledger = new UsageLedger(checkpoint.usage ?? undefined);
    const inner = this.checkpoints.writer(checkpoint);
    const writer: CheckpointWriter = {
      checkpoint,
      save: () => {
        checkpoint.usage = ledger.snapshot();
        return inner.save();
      },
    };
    const runner = new CrewRunner(crew, {
      model: new CrewModel(this.llm, ledger, io.emit),
      tools,
      writer,
      emit: io.emit,
      signal: io.signal,
      ...(this.children ? { children: this.children } : {}),
      tenant: io.tenant,
    });

    const totalTasks = crew.tasks.length * checkpoint.kickoffs.length;
    if (saved) {
      const done = checkpoint.kickoffs.reduce((n, k) => n + Object.keys(k.outputs).length, 0);
      io.emit({
        type: WorkflowEventType.STEP_STARTED,
        step: 'recovery',
        message: `Continuing the crew from its checkpoint: ${done} of ${totalTasks} tasks done${checkpoint.transcript ? `, task "${checkpoint.transcript.task}" in progress` : ''}`,
        data: { tasksDone: done, tasksTotal: totalTasks },
      });
    } else {
      io.emit({
        type: WorkflowEventType.STEP_STARTED,
        step: 'crew',
        message: `${crew.name ?? resolved.template ?? 'Custom crew'}: ${crew.process} process, agents ${crew.agents.map((a) => a.role).join(', ')}`,
        data: { template: resolved.template, process: crew.process, agents: crew.agents.map((a) => a.role), tasks: crew.tasks.map((t) => t.name), kickoffs: checkpoint.kickoffs.length },
      });
      await writer.save();
    }

    try {
      if (checkpoint.waiting) await runner.applyHumanAnswer(request.resume);
      for (let index = 0; index < checkpoint.kickoffs.length; index++) {
        if (checkpoint.kickoffs[index]!.output !== null) continue;
        const outcome = await runner.kickoff(index);
        if (outcome.kind === 'waiting') return waitingFor(checkpoint.waiting!, checkpoint, crew);
      }
    } catch (error) {
      if (io.signal.aborted) throw error;
      await writer.save().catch(() => undefined);
      if (error instanceof CrewFailure) return { status: 'FAILED', error: error.message, code: error.code };
      throw error;
    }

    checkpoint.usage = ledger.snapshot();
    const output = crewOutput(checkpoint);
    const result = { output, state: frameworkState(checkpoint, crew) };
    checkpoint.result = result;
    await writer.save();
    io.emit({ type: WorkflowEventType.STEP_COMPLETED, step: 'crew', message: `Crew finished ${totalTasks} tasks`, data: { usage: checkpoint.usage } });
    return { status: 'SUCCEEDED', output, state: result.state };
  }
}

function waitingFor(review: HumanReview, checkpoint: CrewCheckpoint, crew: Parameters<typeof frameworkState>[1]): EngineRunResult {
  return {
    status: 'WAITING_FOR_INPUT',
    pendingInput: { task: review.task, agent: review.agent, output: review.output, question: review.question },
    state: frameworkState(checkpoint, crew),
  };
}
