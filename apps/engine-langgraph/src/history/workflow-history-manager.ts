import { BadUserInputError, NotFoundError, type TenantContext } from '@switchyard/contracts';
import { StoreCheckpointSaver } from '@switchyard/langgraph-checkpoint';
import { requireRole, requireTenant, type ServiceClient } from '@switchyard/service-kit';
import type { DocumentStore } from '@switchyard/store';
import type { LangGraphEngine } from '../runtime/langgraph-engine.ts';
import { hasCheckpoint, type GraphCheckpointView } from './checkpoint-history.ts';

const START_FORK = `mutation StartFork($input: StartWorkflowInput!) { startWorkflow(input: $input) { id } }`;

/**
 * Time travel: a workflow's checkpoints, and new workflows forked from any of them with edited
 * state. The fork is started through the orchestrator with definition {"forkOf": ...}; the engine
 * copies the checkpoint into the new workflow's thread on its first run (the thread is keyed by the
 * new workflow's id, which exists only once the orchestrator created it).
 */
export class WorkflowHistoryManager {
  constructor(
    private readonly engine: LangGraphEngine,
    private readonly store: DocumentStore,
    private readonly workflows: ServiceClient,
  ) {}

  async checkpoints(context: TenantContext, workflowId: string): Promise<GraphCheckpointView[]> {
    requireRole(context, 'VIEWER', 'Reading checkpoints');
    return this.engine.checkpoints(requireTenant(context, 'Reading checkpoints'), workflowId);
  }

  /** The graph a workflow runs, for drawing it; null when this engine has no run of it. */
  async graph(context: TenantContext, workflowId: string): Promise<Record<string, unknown> | null> {
    requireRole(context, 'VIEWER', 'Reading the graph of a workflow');
    const record = await this.engine.runRecord(requireTenant(context, 'Reading the graph of a workflow'), workflowId);
    if (!record) return null;
    return record.graph.kind === 'declarative' ? { kind: 'declarative', ...record.graph.definition } : { kind: record.graph.kind };
  }

  async fork(context: TenantContext, input: { workflowId: string; checkpointId: string; values?: unknown }): Promise<{ workflowId: string }> {
    requireRole(context, 'DEVELOPER', 'forkWorkflow');
    const tenantId = requireTenant(context, 'forkWorkflow');
    const values = input.values ?? {};
    if (typeof values !== 'object' || values === null || Array.isArray(values)) throw new BadUserInputError('input.values must be an object of state keys and their new values.', { field: 'input.values' });
    const record = await this.engine.runRecord(tenantId, input.workflowId);
    if (!record) throw new NotFoundError('LangGraph workflow', input.workflowId);
    const checkpointer = new StoreCheckpointSaver(this.store, { tenantId });
    if (!(await hasCheckpoint(checkpointer, input.workflowId, input.checkpointId))) throw new NotFoundError('Checkpoint', input.checkpointId);
    const allowed = this.engine.stateKeys(record);
    const unknown = Object.keys(values).filter((key) => !allowed.includes(key));
    if (unknown.length > 0) throw new BadUserInputError(`input.values.${unknown[0]} is not a state key of this graph; keys: ${allowed.join(', ')}.`, { field: `input.values.${unknown[0]}` });
    const started = await this.workflows.request<{ startWorkflow: { id: string } }>(
      START_FORK,
      { input: { input: record.input, framework: 'LANGGRAPH', definition: { forkOf: { workflowId: input.workflowId, checkpointId: input.checkpointId, values } } } },
      context,
    );
    return { workflowId: started.startWorkflow.id };
  }
}
