import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResumeWorkflowDocument, StartWorkflowDocument, WorkflowDocument, type WorkflowQuery } from '@switchyard/client';
import { ContextTokens, ServiceClient } from '@switchyard/service-kit';
import { eventually, startTestStack, type TestStack } from '@switchyard/testkit';

type Stack = TestStack & { contextSecret: string };
type Workflow = NonNullable<WorkflowQuery['workflow']>;

/**
 * LANGGRAPH workflows through the gateway, on the whole platform as real processes. The engine's
 * own SDL (graph definitions, checkpoints, forks) is not in the checked-in supergraph until it is
 * recomposed, so those calls go to the engine subgraph directly with a signed tenant context.
 */
describe('LangGraph engine through the gateway', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const waitForStatus = (id: string, statuses: string[]): Promise<Workflow> =>
    eventually(async () => {
      const { workflow } = await stack.client().request(WorkflowDocument, { id });
      return workflow && statuses.includes(workflow.status) ? workflow : undefined;
    }, 60_000, 200);

  /** The engine subgraph, called as the gateway would call it for the dev tenant. */
  const engineSubgraph = () =>
    new ServiceClient(stack.supervisor.services.get('engine-langgraph')!.url, new ContextTokens(stack.contextSecret), 30_000);
  const developer = () => ({ tenantId: stack.tenantId, role: 'DEVELOPER' as const, keyId: null, subject: 'int-test' });

  it('runs a graph definition stored through the SDL, and a graph that starts a child workflow through the orchestrator', async () => {
    const engine = engineSubgraph();
    const graph = {
      state: { claim: {}, note: {} },
      entry: 'child',
      nodes: {
        child: { kind: 'workflow', framework: 'LANGGRAPH', input: 'Process insurance claim #{{input}} for $1,000', definition: { template: 'insurance-claim' }, writeTo: 'claim', next: 'annotate' },
        annotate: { kind: 'set', values: { note: 'child said: {{claim}}' }, next: 'END' },
      },
      output: '{{note}}',
    };
    const { createGraphDefinition } = await engine.request<{ createGraphDefinition: { id: string; version: number } }>(
      'mutation($input: CreateGraphDefinitionInput!) { createGraphDefinition(input: $input) { id version } }',
      { input: { name: 'delegating-claims', definition: graph } },
      developer(),
    );
    expect(createGraphDefinition.version).toBe(1);

    const { startWorkflow } = await stack.client().request(StartWorkflowDocument, {
      input: { input: '31337', framework: 'LANGGRAPH', definition: { definitionId: createGraphDefinition.id } },
    });
    const done = await waitForStatus(startWorkflow.id, ['SUCCEEDED', 'FAILED']);
    expect(done.error).toBeNull();
    expect(done.output).toBe('child said: Payout of $500 for claim #31337 (claimed $1000, deductible $500).');
    const child = done.events.find((e) => e.type === 'CHILD_WORKFLOW' && (e.data as { status: string }).status === 'SUCCEEDED');
    const { workflow: childWorkflow } = await stack.client().request(WorkflowDocument, { id: (child!.data as { workflowId: string }).workflowId });
    expect(childWorkflow).toMatchObject({ status: 'SUCCEEDED', framework: 'LANGGRAPH', input: 'Process insurance claim #31337 for $1,000' });
  });

  it('refuses a workflow with an invalid inline graph at startWorkflow, naming the bad path', async () => {
    const refused = await stack
      .client()
      .request(StartWorkflowDocument, {
        input: { input: 'x', framework: 'LANGGRAPH', definition: { graph: { entry: 'a', nodes: { a: { kind: 'set', values: {}, next: 'b' } } } } },
      })
      .then(() => null, (error: { code?: string; message: string }) => error);
    expect(refused?.code).toBe('BAD_USER_INPUT');
    expect(refused?.message).toContain('input.definition.nodes.a.next: no node named "b"');
  });

  it('waits for an adjuster above $25,000 across a restart of the whole platform, then pays out; a fork with a smaller amount goes straight through', async () => {
    const { startWorkflow } = await stack.client().request(StartWorkflowDocument, { input: { input: 'Process insurance claim #12345 for $40,000', framework: 'LANGGRAPH' } });
    const waiting = await waitForStatus(startWorkflow.id, ['WAITING_FOR_INPUT', 'FAILED', 'SUCCEEDED']);
    expect(waiting.status).toBe('WAITING_FOR_INPUT');
    expect(waiting.pendingInput).toMatchObject({ kind: 'human', node: 'adjuster_review', context: { claimNumber: '12345', amount: 40000 } });
    const types = waiting.events.map((e) => e.type);
    for (const type of ['STEP_STARTED', 'STEP_COMPLETED', 'STATE_UPDATED', 'MODEL_OUTPUT', 'MODEL_CALL', 'WAITING_FOR_INPUT']) expect(types).toContain(type);
    expect(waiting.events.filter((e) => e.type === 'STEP_STARTED').map((e) => e.step)).toEqual(['extract_claim', 'check_coverage', 'route_claim', 'adjuster_review']);

    await stack.stop({ keepState: true });
    stack = await startTestStack({ reuse: stack });

    const { resumeWorkflow } = await stack.client().request(ResumeWorkflowDocument, { id: startWorkflow.id, response: { approved: true } });
    expect(resumeWorkflow.id).toBe(startWorkflow.id);
    const done = await waitForStatus(startWorkflow.id, ['SUCCEEDED', 'FAILED']);
    expect(done.error).toBeNull();
    expect(done.output).toBe('Payout of $39500 for claim #12345 (claimed $40000, deductible $500).');
    // Extraction and the coverage check ran once in all, before the restart.
    expect(done.events.filter((e) => e.type === 'MODEL_CALL' && e.step === 'extract_claim')).toHaveLength(1);

    // Time travel: the checkpoint before the router, forked with a smaller amount.
    const engine = engineSubgraph();
    const { _entities } = await engine.request<{ _entities: Array<{ checkpoints: Array<{ id: string; step: number; next: string[]; values: Record<string, unknown> }> }> }>(
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on Workflow { checkpoints { id step next values } } } }',
      { r: [{ __typename: 'Workflow', id: startWorkflow.id }] },
      developer(),
    );
    const checkpoints = _entities[0]!.checkpoints;
    expect(checkpoints[0]!.next).toEqual([]);
    const beforeRouter = checkpoints.find((c) => c.next.includes('route_claim'))!;
    expect(beforeRouter.values).toMatchObject({ amount: 40000 });
    const { forkWorkflow } = await engine.request<{ forkWorkflow: { workflowId: string } }>(
      'mutation($input: ForkWorkflowInput!) { forkWorkflow(input: $input) { workflowId } }',
      { input: { workflowId: startWorkflow.id, checkpointId: beforeRouter.id, values: { amount: 2000 } } },
      developer(),
    );
    const fork = await waitForStatus(forkWorkflow.workflowId, ['SUCCEEDED', 'FAILED', 'WAITING_FOR_INPUT']);
    expect(fork.status).toBe('SUCCEEDED');
    expect(fork.output).toBe('Payout of $1500 for claim #12345 (claimed $2000, deductible $500).');
  }, 180_000); // a stop and a start of every process, on a shared machine
});
