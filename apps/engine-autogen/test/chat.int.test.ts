import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResumeWorkflowDocument, StartWorkflowDocument, WorkflowDocument, type WorkflowQuery } from '@switchyard/client';
import { eventually, startTestStack, type TestStack } from '@switchyard/testkit';

type Workflow = NonNullable<WorkflowQuery['workflow']>;

/** AUTOGEN workflows through the gateway, on the whole platform started as real processes (simulated model). */
describe('AutoGen engine through the gateway', () => {
  let stack: TestStack;
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

  it('reports the engine available, with its templates', async () => {
    const response = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.apiKey}` },
      body: JSON.stringify({ query: '{ autogenEngine { framework available templates } }' }),
    });
    expect(await response.json()).toEqual({ data: { autogenEngine: { framework: 'AUTOGEN', available: true, templates: ['code-assistant', 'debate', 'research-chat'] } } });
  });

  it('code-assistant writes code, runs it in the sandbox and succeeds, every event numbered in order', async () => {
    const { startWorkflow } = await stack.client().request(StartWorkflowDocument, {
      input: { input: 'Write JavaScript code that adds 20 and 22', framework: 'AUTOGEN', definition: { template: 'code-assistant' } },
    });
    const done = await waitForStatus(startWorkflow.id, ['SUCCEEDED', 'FAILED']);
    expect(done.error).toBeNull();
    expect(done.status).toBe('SUCCEEDED');
    expect(done.output).toContain('The task is complete');
    const execution = done.events.find((e) => e.type === 'CODE_EXECUTION');
    expect(execution).toMatchObject({ agent: 'executor', data: { language: 'javascript', exitCode: 0 } });
    expect((execution!.data as { stdout: string }).stdout).toContain('sum: 42');
    expect(done.events.map((e) => e.sequence)).toEqual(done.events.map((_, i) => i + 1));
    const types = done.events.map((e) => e.type);
    for (const type of ['WORKFLOW_STARTED', 'SPEAKER_SELECTED', 'AGENT_MESSAGE', 'MODEL_CALL', 'CODE_EXECUTION', 'WORKFLOW_SUCCEEDED']) expect(types).toContain(type);
    expect(done.events.filter((e) => e.type === 'MODEL_CALL').every((e) => e.agent === 'coder')).toBe(true);
    expect((done.state as { frameworkStates: { AUTOGEN: { usageByAgent: { coder: { calls: number } } } } }).frameworkStates.AUTOGEN.usageByAgent.coder.calls).toBe(2);
  });

  it('research-chat waits for the person and finishes when they approve', async () => {
    const { startWorkflow } = await stack.client().request(StartWorkflowDocument, {
      input: { input: 'Research how tea reached Europe', framework: 'AUTOGEN', definition: { template: 'research-chat' } },
    });
    const waiting = await waitForStatus(startWorkflow.id, ['WAITING_FOR_INPUT', 'FAILED', 'SUCCEEDED']);
    expect(waiting.status).toBe('WAITING_FOR_INPUT');
    expect(waiting.pendingInput).toMatchObject({ agent: 'person', from: 'assistant' });
    await stack.client().request(ResumeWorkflowDocument, { id: startWorkflow.id, response: { message: 'Thanks, that answers it. APPROVE' } });
    const done = await waitForStatus(startWorkflow.id, ['SUCCEEDED', 'FAILED']);
    expect(done.status).toBe('SUCCEEDED');
    expect(done.events.filter((e) => e.type === 'AGENT_MESSAGE').map((e) => e.agent)).toEqual(['user', 'assistant', 'person']);
    expect(done.events.map((e) => e.sequence)).toEqual(done.events.map((_, i) => i + 1));
  });

  it('refuses an invalid team definition, naming the bad path', async () => {
    const attempt = stack.client().request(StartWorkflowDocument, {
      input: { input: 'x', framework: 'AUTOGEN', definition: { type: 'round_robin', participants: [{ type: 'assistant', name: 'a' }, { type: 'assistant', name: 'a' }] } },
    });
    await expect(attempt).rejects.toThrow(/definition\.participants\[1\]\.name: duplicate/);
  });
});
