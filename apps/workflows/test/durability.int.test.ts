import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StartWorkflowDocument, WorkflowDocument } from '@switchyard/client';
import { eventually, startTestStack, type TestStack } from '@switchyard/testkit';
import type { ServiceName } from '@switchyard/stack';

type Stack = TestStack & { contextSecret: string };

/** kill -9 a service while a workflow runs; the workflow still finishes with events 1..n. */
describe('durable workflows (real processes killed with SIGKILL)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startTestStack({ env: { LLM_SIMULATOR_LATENCY_MS: '400', WORKFLOWS_LEASE_MS: '2000', WORKFLOWS_RECOVERY_INTERVAL_MS: '300' } });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  async function runAndKill(service: ServiceName) {
    const client = stack.client();
    const { startWorkflow } = await client.request(StartWorkflowDocument, { input: { input: `Reconcile invoice batch after ${service} crash`, framework: 'LANGGRAPH' } });
    await eventually(async () => {
      const { workflow } = await client.request(WorkflowDocument, { id: startWorkflow.id });
      return workflow?.events.some((e) => e.type === 'MODEL_CALL') ? true : undefined;
    }, 30_000, 50);
    const restarted = stack.supervisor.waitReady(service);
    stack.supervisor.kill(service, 'SIGKILL');
    await restarted;
    const finished = await eventually(async () => {
      const { workflow } = await client.request(WorkflowDocument, { id: startWorkflow.id });
      return workflow && ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(workflow.status) ? workflow : undefined;
    }, 60_000, 200);
    return finished;
  }

  for (const service of ['workflows', 'engine-langgraph'] as const) {
    it(`finishes a workflow whose ${service} process was killed mid-run, with events numbered 1..n`, async () => {
      const workflow = await runAndKill(service);
      expect(workflow.error).toBeNull();
      expect(workflow.status).toBe('SUCCEEDED');
      expect(workflow.events.map((e) => e.sequence)).toEqual(workflow.events.map((_, i) => i + 1));
      expect(workflow.events.filter((e) => e.type === 'WORKFLOW_SUCCEEDED')).toHaveLength(1);
      // The plan is checkpointed before execution starts, so no crash makes the workflow plan twice.
      expect(workflow.events.filter((e) => e.type === 'MODEL_CALL' && e.step === 'plan')).toHaveLength(1);
    });
  }
});
