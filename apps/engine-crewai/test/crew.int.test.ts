import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResumeWorkflowDocument, StartWorkflowDocument, WorkflowDocument, WorkflowEventsDocument, type WorkflowQuery } from '@switchyard/client';
import { eventually, startTestStack, type TestStack } from '@switchyard/testkit';

type Workflow = NonNullable<WorkflowQuery['workflow']>;

/** CREWAI workflows through the gateway, on the whole platform started as real processes. */
describe('CrewAI engine through the gateway', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  async function waitForStatus(id: string, statuses: string[]): Promise<Workflow> {
    return eventually(async () => {
      const { workflow } = await stack.client().request(WorkflowDocument, { id });
      return workflow && statuses.includes(workflow.status) ? workflow : undefined;
    }, 60_000, 200);
  }

  it('reports the engine available, with its templates', async () => {
    const response = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.apiKey}` },
      body: JSON.stringify({ query: '{ crewaiEngine { framework available templates } }' }),
    });
    expect(await response.json()).toEqual({ data: { crewaiEngine: { framework: 'CREWAI', available: true, templates: ['market-research', 'content-team', 'due-diligence'] } } });
  });

  it('runs the market-research crew to SUCCEEDED, with delegations from the manager to every agent and events numbered 1..n', async () => {
    const client = stack.client();
    const { startWorkflow } = await client.request(StartWorkflowDocument, {
      input: { input: 'Research competitors and write a market analysis for plant-based cheese in France', framework: 'CREWAI', definition: { template: 'market-research' } },
    });
    expect(startWorkflow.framework).toBe('CREWAI');
    // Follow it live, as a client would.
    const seen: string[] = [];
    for await (const { workflowEvents } of client.subscribe(WorkflowEventsDocument, { workflowId: startWorkflow.id })) {
      seen.push(workflowEvents.type);
      if (['WORKFLOW_SUCCEEDED', 'WORKFLOW_FAILED', 'WORKFLOW_CANCELLED'].includes(workflowEvents.type)) break;
    }
    expect(seen.at(-1)).toBe('WORKFLOW_SUCCEEDED');
    const workflow = await waitForStatus(startWorkflow.id, ['SUCCEEDED']);
    expect(workflow.output).toContain('[simulated]');
    expect(workflow.events.map((e) => e.sequence)).toEqual(workflow.events.map((_, i) => i + 1));
    const delegations = workflow.events.filter((e) => e.type === 'DELEGATION').map((e) => e.data as { from: string; to: string });
    expect(delegations.every((d) => d.from === 'Crew Manager')).toBe(true);
    expect(new Set(delegations.map((d) => d.to))).toEqual(new Set(['Market Researcher', 'Market Analyst', 'Report Writer']));
    expect(workflow.events.filter((e) => e.type === 'TASK_COMPLETED').map((e) => e.step)).toEqual(['research', 'analysis', 'report']);
    const crewState = (workflow.state as { frameworkStates: { CREWAI: { usage: { byAgent: Record<string, { modelCalls: number }> } } } }).frameworkStates.CREWAI;
    expect(crewState.usage.byAgent['Crew Manager']!.modelCalls).toBeGreaterThan(0);
  });

  it('refuses a workflow whose crew definition is invalid at startWorkflow, naming the bad path', async () => {
    const refused = await stack
      .client()
      .request(StartWorkflowDocument, {
        input: {
          input: 'Write about tea',
          framework: 'CREWAI',
          definition: { agents: [{ role: 'Writer', goal: 'Write', backstory: 'A writer.' }], tasks: [{ description: 'Write', expectedOutput: 'Text', agent: 'Editor' }] },
        },
      })
      .then(() => null, (error: { code?: string; message: string }) => error);
    expect(refused?.code).toBe('BAD_USER_INPUT');
    expect(refused?.message).toContain('input.definition.tasks[0].agent: no agent with role "Editor"');
  });

  it('waits for a human review of a task and continues with the feedback after resumeWorkflow', async () => {
    const client = stack.client();
    const { startWorkflow } = await client.request(StartWorkflowDocument, {
      input: {
        input: 'A blog post about composting at home',
        framework: 'CREWAI',
        definition: {
          template: 'content-team',
          tasks: [
            { name: 'strategy', description: 'Create a strategy for: {input}', expectedOutput: 'A strategy', agent: 'Content Strategist', humanInput: true },
            { name: 'draft', description: 'Write the post for: {input}', expectedOutput: 'A post', agent: 'Content Writer' },
          ],
        },
      },
    });
    const waiting = await waitForStatus(startWorkflow.id, ['WAITING_FOR_INPUT', 'FAILED']);
    expect(waiting.pendingInput).toMatchObject({ task: 'strategy', agent: 'Content Strategist', question: expect.stringContaining('Review the output') });
    await client.request(ResumeWorkflowDocument, { id: startWorkflow.id, response: 'Aim it at people living in flats.' });
    const done = await waitForStatus(startWorkflow.id, ['SUCCEEDED', 'FAILED']);
    expect(done.status).toBe('SUCCEEDED');
    const completed = done.events.filter((e) => e.type === 'TASK_COMPLETED');
    expect(completed.map((e) => [e.step, (e.data as { revisedAfterHumanFeedback?: boolean }).revisedAfterHumanFeedback ?? false])).toEqual([
      ['strategy', true],
      ['draft', false],
    ]);
    expect(done.events.map((e) => e.sequence)).toEqual(done.events.map((_, i) => i + 1));
  });

  it('runs a task as a LangGraph sub-workflow through the orchestrator and uses its output', async () => {
    const client = stack.client();
    const { startWorkflow } = await client.request(StartWorkflowDocument, {
      input: {
        input: 'Settle a small claim and write to the customer',
        framework: 'CREWAI',
        definition: {
          agents: [
            { role: 'Claims Handler', goal: 'Settle claims', backstory: 'Runs the claims process.' },
            { role: 'Writer', goal: 'Write letters', backstory: 'Writes to customers.' },
          ],
          tasks: [
            { name: 'settle', description: 'Settle the claim', expectedOutput: 'The decision', agent: 'Claims Handler', workflow: { framework: 'LANGGRAPH', definition: { template: 'insurance-claim' }, input: 'Process insurance claim #88 for $900' } },
            { name: 'letter', description: 'Write to the customer about the decision', expectedOutput: 'A letter', agent: 'Writer' },
          ],
        },
      },
    });
    const workflow = await waitForStatus(startWorkflow.id, ['SUCCEEDED', 'FAILED']);
    expect(workflow.error).toBeNull();
    const child = workflow.events.find((e) => e.type === 'CHILD_WORKFLOW')!;
    const childId = (child.data as { childWorkflowId: string }).childWorkflowId;
    const { workflow: childWorkflow } = await client.request(WorkflowDocument, { id: childId });
    expect(childWorkflow).toMatchObject({ status: 'SUCCEEDED', framework: 'LANGGRAPH', input: 'Process insurance claim #88 for $900' });
    const settled = workflow.events.find((e) => e.type === 'TASK_COMPLETED' && e.step === 'settle')!;
    expect((settled.data as { childWorkflowId: string }).childWorkflowId).toBe(childId);
  });
});
