import { setTimeout as sleep } from 'node:timers/promises';
import { ErrorCode, type TenantContext } from '@switchyard/contracts';
import type { ServiceClient } from '@switchyard/service-kit';

/** What a `workflow` node asks for: one child workflow, identified across crashes by its idempotency key. */
export interface ChildWorkflowRequest {
  tenant: TenantContext;
  idempotencyKey: string;
  input: string;
  framework: string;
  definition: Record<string, unknown> | null;
  signal: AbortSignal;
}

/** Where a child workflow stands, as the orchestrator reports it. */
export interface ChildWorkflowStatus {
  id: string;
  status: 'QUEUED' | 'RUNNING' | 'WAITING_FOR_INPUT' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';
  output: string | null;
  error: string | null;
  pendingInput: unknown;
}

/** Starts child workflows and follows them; the engine's only way to reach the orchestrator. */
export interface ChildWorkflows {
  /** Start the child (or find the one started with the same key) and wait until it finishes or waits for input. */
  runUntilSettled(request: ChildWorkflowRequest): Promise<ChildWorkflowStatus>;
  /** Pass a human's answer on to a child that waits for input. */
  resume(tenant: TenantContext, workflowId: string, response: unknown): Promise<void>;
}

const FIELDS = 'id status output error pendingInput';
const START = `mutation StartChild($input: StartWorkflowInput!) { startWorkflow(input: $input) { ${FIELDS} } }`;
const GET = `query Child($id: ID!) { workflow(id: $id) { ${FIELDS} } }`;
const RESUME = `mutation ResumeChild($id: ID!, $response: JSON!) { resumeWorkflow(id: $id, response: $response) { id } }`;

/**
 * Child workflows through the orchestrator's GraphQL API (apps/workflows, called directly with the
 * run's tenant context): startWorkflow with an idempotency key, so a node re-run after a crash
 * finds the child it started instead of starting another, then poll workflow(id) until it settles.
 */
export class OrchestratorChildWorkflows implements ChildWorkflows {
  constructor(
    private readonly workflows: ServiceClient,
    private readonly pollIntervalMs = 500,
    /** The calling engine, as the subject of its requests to the orchestrator. */
    private readonly caller = 'service:engine',
  ) {}

  async runUntilSettled(request: ChildWorkflowRequest): Promise<ChildWorkflowStatus> {
    const context = { ...request.tenant, subject: this.caller };
    const started = await this.workflows.request<{ startWorkflow: ChildWorkflowStatus }>(
      START,
      { input: { input: request.input, framework: request.framework, definition: request.definition, idempotencyKey: request.idempotencyKey } },
      context,
    );
    let current = started.startWorkflow;
    while (!settled(current)) {
      await sleep(this.pollIntervalMs, undefined, { signal: request.signal });
      const answer = await this.workflows.request<{ workflow: ChildWorkflowStatus | null }>(GET, { id: current.id }, context);
      if (!answer.workflow) throw new Error(`Child workflow ${current.id} disappeared.`);
      current = answer.workflow;
    }
    return current;
  }

  async resume(tenant: TenantContext, workflowId: string, response: unknown): Promise<void> {
    try {
      await this.workflows.request(RESUME, { id: workflowId, response }, { ...tenant, subject: this.caller });
    } catch (error) {
      // A node re-run after a crash passes the same answer again; the child took it the first time.
      if ((error as { code?: string }).code !== ErrorCode.CONFLICT) throw error;
    }
  }
}

function settled(child: ChildWorkflowStatus): boolean {
  return child.status !== 'QUEUED' && child.status !== 'RUNNING';
}
