import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeyBudgetsDocument, CancelWorkflowDocument, CreateApiKeyDocument, CreateTenantDocument, SetApiKeyBudgetDocument, SetBudgetDocument, StartWorkflowDocument, TenantDocument, WorkflowDocument } from '@switchyard/client';
import { ContextTokens, ServiceClient } from '@switchyard/service-kit';
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

  it('cancels a running workflow: the engine and its model calls stop', async () => {
    const client = stack.client();
    const { startWorkflow } = await client.request(StartWorkflowDocument, { input: { input: 'Long analysis to cancel', framework: 'LANGGRAPH' } });
    await eventually(async () => {
      const { workflow } = await client.request(WorkflowDocument, { id: startWorkflow.id });
      return workflow?.events.some((e) => e.type === 'MODEL_CALL') ? true : undefined;
    }, 30_000, 50);
    const { cancelWorkflow } = await client.request(CancelWorkflowDocument, { id: startWorkflow.id });
    expect(cancelWorkflow.status).toBe('CANCELLED');
    const { workflow: right } = await client.request(WorkflowDocument, { id: startWorkflow.id });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const { workflow: later } = await client.request(WorkflowDocument, { id: startWorkflow.id });
    expect(later!.status).toBe('CANCELLED');
    expect(later!.events.at(-1)!.type).toBe('WORKFLOW_CANCELLED');
    expect(later!.events.length).toBe(right!.events.length);
    expect(later!.events.some((e) => e.type === 'STEP_COMPLETED' && e.step === 'finalize')).toBe(false);
  });

  it('runs a HYBRID workflow stage by stage, skipping stages whose condition does not hold', async () => {
    const client = stack.client();
    const definition = {
      stages: [
        { name: 'draft', framework: 'LANGGRAPH' },
        { name: 'code', framework: 'LANGGRAPH', when: { 'hints.needsCode': true } },
        { name: 'polish', framework: 'LANGGRAPH', input: 'Polish this draft: {{outputs.draft}}' },
      ],
    };
    const { startWorkflow } = await client.request(StartWorkflowDocument, {
      input: { input: 'Write the quarterly summary', framework: 'HYBRID', definition, hints: { needsCode: false } },
    });
    const workflow = await eventually(async () => {
      const { workflow } = await client.request(WorkflowDocument, { id: startWorkflow.id });
      return workflow && ['SUCCEEDED', 'FAILED'].includes(workflow.status) ? workflow : undefined;
    }, 60_000, 200);
    expect(workflow.error).toBeNull();
    expect(workflow.status).toBe('SUCCEEDED');
    const stages = workflow.events.filter((e) => e.type.startsWith('STAGE_')).map((e) => `${e.type}:${e.step}`);
    expect(stages).toEqual(['STAGE_STARTED:draft', 'STAGE_COMPLETED:draft', 'STAGE_SKIPPED:code', 'STAGE_STARTED:polish', 'STAGE_COMPLETED:polish']);
    expect(workflow.events.filter((e) => e.type === 'MODEL_CALL').every((e) => e.step!.startsWith('draft/') || e.step!.startsWith('polish/'))).toBe(true);
    const state = workflow.state as { stepsCompleted: string[]; artifacts: { name: string; content: string }[]; frameworkStates: Record<string, Record<string, unknown>> };
    expect(state.stepsCompleted).toEqual(['draft', 'polish']);
    expect(state.artifacts.map((a) => a.name)).toEqual(['draft', 'polish']);
    expect(workflow.output).toBe(state.artifacts[1]!.content);
    expect(Object.keys(state.frameworkStates.LANGGRAPH!)).toEqual(['draft', 'polish']);
    expect(workflow.events.map((e) => e.sequence)).toEqual(workflow.events.map((_, i) => i + 1));
  });

  it('runs the blueprint\'s hybrid flow: LangGraph orchestrates, a CrewAI team researches, an AutoGen chat runs code, LangGraph finalises', async () => {
    const client = stack.client();
    const { startWorkflow } = await client.request(StartWorkflowDocument, {
      input: { input: 'Analyze sales data and generate executive report with recommendations', framework: 'HYBRID', hints: { needsResearch: true, needsCode: true } },
    });
    const workflow = await eventually(async () => {
      const { workflow } = await client.request(WorkflowDocument, { id: startWorkflow.id });
      return workflow && ['SUCCEEDED', 'FAILED', 'WAITING_FOR_INPUT'].includes(workflow.status) ? workflow : undefined;
    }, 120_000, 300);
    expect(workflow.error).toBeNull();
    expect(workflow.status).toBe('SUCCEEDED');
    const stages = workflow.events.filter((e) => e.type === 'STAGE_COMPLETED').map((e) => e.step);
    expect(stages).toEqual(['orchestrate', 'research', 'code', 'finalize']);
    const frameworksSeen = new Set(workflow.events.filter((e) => e.type === 'MODEL_CALL').map((e) => e.step!.split('/')[0]));
    expect(frameworksSeen).toEqual(new Set(['orchestrate', 'research', 'code', 'finalize']));
    expect(workflow.events.some((e) => e.type === 'DELEGATION')).toBe(true);
    expect(workflow.events.some((e) => e.type === 'CODE_EXECUTION')).toBe(true);
    const state = workflow.state as { frameworkStates: Record<string, Record<string, unknown>> };
    expect(Object.keys(state.frameworkStates).sort()).toEqual(['AUTOGEN', 'CREWAI', 'LANGGRAPH']);
    expect(workflow.events.map((e) => e.sequence)).toEqual(workflow.events.map((_, i) => i + 1));
  });

  it('holds a hard budget: a model call the budget cannot pay for is refused and fails its workflow with errorCode BUDGET_EXCEEDED; an exhausted budget refuses startWorkflow at once', async () => {
    const { createTenant } = await stack.client(stack.adminKey).request(CreateTenantDocument, { input: { name: 'Thrifty Corp' } });
    const client = stack.client(createTenant.secret);
    // Less than the first call's input costs: no grant of output tokens can make it fit.
    await client.request(SetBudgetDocument, { input: { monthlyLimitUsd: 0.000002, hardLimit: true } });
    const { startWorkflow } = await client.request(StartWorkflowDocument, { input: { input: 'Summarise the quarter', framework: 'LANGGRAPH' } });
    const failed = await eventually(async () => {
      const { workflow } = await client.request(WorkflowDocument, { id: startWorkflow.id });
      return workflow && ['SUCCEEDED', 'FAILED'].includes(workflow.status) ? workflow : undefined;
    }, 60_000, 200);
    expect(failed.status).toBe('FAILED');
    expect(failed.errorCode).toBe('BUDGET_EXCEEDED');
    expect(failed.error).toContain("The tenant's monthly budget of $0.0000020 would be exceeded");
    expect(failed.events.filter((e) => e.type === 'MODEL_CALL')).toHaveLength(0);
    const { tenant } = await client.request(TenantDocument, { id: createTenant.tenant.id });
    expect(tenant?.budget?.spentUsd).toBe(0);

    await client.request(SetBudgetDocument, { input: { monthlyLimitUsd: 0, hardLimit: true } });
    const refused = await client.request(StartWorkflowDocument, { input: { input: 'Anything', framework: 'LANGGRAPH' } }).then(() => null, (e: { code?: string; message: string }) => e);
    expect(refused?.code).toBe('BUDGET_EXCEEDED');
    expect(refused?.message).toContain('is spent');
  });

  it('lets 20 concurrent runs use the last of a hard budget of 6 runs: no phantom refusals, never a cent over', async () => {
    const admin = stack.client(stack.adminKey);
    const run = async (client: ReturnType<Stack['client']>, i: number) => {
      const { startWorkflow } = await client.request(StartWorkflowDocument, { input: { input: `Summarise ledger ${i}`, framework: 'LANGGRAPH' } });
      return eventually(async () => {
        const { workflow } = await client.request(WorkflowDocument, { id: startWorkflow.id });
        return workflow && ['SUCCEEDED', 'FAILED'].includes(workflow.status) ? workflow : undefined;
      }, 120_000, 300);
    };
    // What one run costs, measured on a tenant without a budget.
    const { createTenant: probe } = await admin.request(CreateTenantDocument, { input: { name: 'Probe Corp' } });
    const one = await run(stack.client(probe.secret), 0);
    expect(one.status).toBe('SUCCEEDED');
    const runCost = one.cost!.totalUsd;
    expect(runCost).toBeGreaterThan(0);

    const { createTenant } = await admin.request(CreateTenantDocument, { input: { name: 'Frugal Corp' } });
    const client = stack.client(createTenant.secret);
    const limit = Number((6 * runCost).toFixed(8));
    await client.request(SetBudgetDocument, { input: { monthlyLimitUsd: limit, hardLimit: true } });
    const runs = await Promise.all(Array.from({ length: 20 }, (_, i) => run(client, i + 1)));
    const { tenant } = await client.request(TenantDocument, { id: createTenant.tenant.id });
    const spent = tenant!.budget!.spentUsd;
    const finished = runs.filter((w) => w.status === 'SUCCEEDED');
    const succeeded = finished.length;
    // A run's cost varies with the plan the model makes (one or more steps), so the probe is only a
    // scale for the budget: what the budget can finish is judged by the runs that did finish.
    const largestRun = Math.max(...finished.map((w) => w.cost!.totalUsd));
    const meanRun = finished.reduce((sum, w) => sum + w.cost!.totalUsd, 0) / Math.max(1, succeeded);
    const wasted = runs.filter((w) => w.status === 'FAILED').reduce((sum, w) => sum + (w.cost?.totalUsd ?? 0), 0);
    console.log(
      `budget: ${succeeded} of 20 succeeded, spent $${spent} of $${limit} (${((100 * spent) / limit).toFixed(1)} %), probe run $${runCost}, finished runs $${meanRun.toFixed(7)} on average, $${wasted.toFixed(7)} spent on runs that did not finish`,
    );
    expect(spent).toBeLessThanOrEqual(limit);
    // The budget is used, not refused while most of it is left (each call used to reserve 4,096 output tokens).
    expect(spent).toBeGreaterThan(0.75 * limit);
    // Begun runs go first, the oldest first, so the budget finishes runs instead of taking all 20 a
    // step further: at least as many finish as three quarters of it buys at the largest run's cost,
    // and what went to runs that could not finish is about one run's worth at most.
    expect(succeeded).toBeGreaterThanOrEqual(Math.max(1, Math.floor((0.75 * limit) / largestRun)));
    expect(wasted).toBeLessThanOrEqual(1.5 * meanRun);
    for (const w of runs.filter((w) => w.status === 'FAILED')) {
      expect(w.errorCode, w.error ?? '').toBe('BUDGET_EXCEEDED');
    }
    expect(runs.some((w) => w.status === 'FAILED')).toBe(true);
  });

  it("holds an API key's own budget: its workflows stop at the key's limit while another key of the tenant goes on", async () => {
    const { createTenant } = await stack.client(stack.adminKey).request(CreateTenantDocument, { input: { name: 'Keyed Corp' } });
    const admin = stack.client(createTenant.secret);
    const { createApiKey: capped } = await admin.request(CreateApiKeyDocument, { input: { name: 'batch-jobs', role: 'DEVELOPER' } });
    const { createApiKey: free } = await admin.request(CreateApiKeyDocument, { input: { name: 'interactive', role: 'DEVELOPER' } });
    await admin.request(SetApiKeyBudgetDocument, { apiKeyId: capped.apiKey.id, monthlyLimitUsd: 0.000002 });
    // Only the tenant's own keys can get a budget.
    const unknownKey = await admin.request(SetApiKeyBudgetDocument, { apiKeyId: 'not-a-key-of-this-tenant', monthlyLimitUsd: 1 }).then(() => null, (e: { code?: string }) => e);
    expect(unknownKey?.code).toBe('NOT_FOUND');
    const run = async (secret: string) => {
      const client = stack.client(secret);
      const { startWorkflow } = await client.request(StartWorkflowDocument, { input: { input: 'Summarise the quarter', framework: 'LANGGRAPH' } });
      return eventually(async () => {
        const { workflow } = await client.request(WorkflowDocument, { id: startWorkflow.id });
        return workflow && ['SUCCEEDED', 'FAILED'].includes(workflow.status) ? workflow : undefined;
      }, 60_000, 200);
    };
    const [stopped, went] = await Promise.all([run(capped.secret), run(free.secret)]);
    expect(stopped.status).toBe('FAILED');
    expect(stopped.error).toContain(`The monthly budget of API key ${capped.apiKey.id} of $0.0000020 would be exceeded`);
    expect(stopped.errorCode).toBe('BUDGET_EXCEEDED');
    expect(went.status).toBe('SUCCEEDED');
    const { tenant } = await admin.request(ApiKeyBudgetsDocument, { tenantId: createTenant.tenant.id });
    expect(tenant?.apiKeyBudgets).toEqual([{ apiKeyId: capped.apiKey.id, monthlyLimitUsd: 0.000002, spentUsd: 0, reservedUsd: 0 }]);

    await admin.request(SetApiKeyBudgetDocument, { apiKeyId: capped.apiKey.id, monthlyLimitUsd: 0 });
    const refused = await stack.client(capped.secret).request(StartWorkflowDocument, { input: { input: 'Anything', framework: 'LANGGRAPH' } }).then(() => null, (e: { code?: string; message: string }) => e);
    expect(refused?.code).toBe('BUDGET_EXCEEDED');
    expect(refused?.message).toContain("This API key's monthly budget of $0.0000 is spent");
    await expect(stack.client(free.secret).request(StartWorkflowDocument, { input: { input: 'Anything', framework: 'LANGGRAPH' } })).resolves.toBeDefined();
  });

  it("binds every model call of a tenant's runs to its allowed and default models", async () => {
    const { createTenant } = await stack.client(stack.adminKey).request(CreateTenantDocument, { input: { name: 'Governed Corp' } });
    const gql = async (query: string, variables: Record<string, unknown> = {}) => {
      const response = await fetch(stack.gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${createTenant.secret}` }, body: JSON.stringify({ query, variables }) });
      return (await response.json()) as { data?: Record<string, unknown>; errors?: Array<{ message: string; extensions: { code: string } }> };
    };
    const settings = await gql('mutation { updateTenantSettings(input: { allowedModels: ["gpt-4.1-mini", "gpt-4o"], defaultModel: "gpt-4.1-mini" }) { settings { allowedModels defaultModel } } }');
    expect(settings.errors).toBeUndefined();
    const client = stack.client(createTenant.secret);
    const finished = async (id: string) =>
      eventually(async () => {
        const { workflow } = await client.request(WorkflowDocument, { id });
        return workflow && ['SUCCEEDED', 'FAILED'].includes(workflow.status) ? workflow : undefined;
      }, 60_000, 200);
    // A run whose nodes name no model uses the tenant's default (the simulator answers as the model asked for).
    const { startWorkflow: plain } = await client.request(StartWorkflowDocument, { input: { input: 'Summarise the quarter', framework: 'LANGGRAPH' } });
    const ran = await finished(plain.id);
    expect(ran.status).toBe('SUCCEEDED');
    const models = ran.events.filter((e) => e.type === 'MODEL_CALL').map((e) => (e.data as { model: string }).model);
    expect(models.length).toBeGreaterThan(0);
    expect(new Set(models)).toEqual(new Set(['gpt-4.1-mini']));
    // A node that names a model the tenant does not allow fails its workflow with FORBIDDEN, before any call.
    const graph = (model: string) => ({ graph: { entry: 'ask', nodes: { ask: { kind: 'model', prompt: 'Say hello to {{input}}', model, next: 'END' } } } });
    const { startWorkflow: denied } = await client.request(StartWorkflowDocument, { input: { input: 'the board', framework: 'LANGGRAPH', definition: graph('gpt-4-turbo') } });
    const refused = await finished(denied.id);
    expect(refused).toMatchObject({ status: 'FAILED', errorCode: 'FORBIDDEN' });
    expect(refused.error).toContain('not among this tenant\'s allowed models (gpt-4.1-mini, gpt-4o)');
    expect(refused.events.filter((e) => e.type === 'MODEL_CALL')).toHaveLength(0);
    // One it allows is used as named.
    const { startWorkflow: allowed } = await client.request(StartWorkflowDocument, { input: { input: 'the board', framework: 'LANGGRAPH', definition: graph('gpt-4o') } });
    const named = await finished(allowed.id);
    expect(named.status).toBe('SUCCEEDED');
    expect(named.events.filter((e) => e.type === 'MODEL_CALL').map((e) => (e.data as { model: string }).model)).toEqual(['gpt-4o']);
  });

  it('rejects a bad hybrid definition naming the path', async () => {
    const attempt = (definition: unknown) =>
      stack
        .client()
        .request(StartWorkflowDocument, { input: { input: 'x', framework: 'HYBRID', definition } })
        .then(() => null, (e: { code?: string; message: string }) => e);
    const badFramework = await attempt({ stages: [{ name: 'a', framework: 'LANGGRAPH' }, { name: 'b', framework: 'NOPE' }] });
    expect(badFramework?.code).toBe('BAD_USER_INPUT');
    expect(badFramework?.message).toContain('input.definition.stages.1.framework');
    const duplicate = await attempt({ stages: [{ name: 'a', framework: 'LANGGRAPH' }, { name: 'a', framework: 'LANGGRAPH' }] });
    expect(duplicate?.message).toContain('input.definition.stages.1.name: duplicate stage name "a"');
  });

  it('hands a dead replica\'s workflows to another replica when their leases expire', async () => {
    const replica = await stack.supervisor.addReplica('workflows');
    const client = stack.client();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { startWorkflow } = await client.request(StartWorkflowDocument, { input: { input: `Replica handover ${i}`, framework: 'LANGGRAPH' } });
      ids.push(startWorkflow.id);
    }
    // The gateway talks to the first replica, which took the leases; it now dies for good.
    stack.supervisor.kill('workflows', 'SIGKILL', { restart: false });
    const survivor = new ServiceClient(stack.supervisor.services.get(replica)!.url, new ContextTokens(stack.contextSecret));
    const tenant = { tenantId: stack.tenantId, role: 'VIEWER' as const, keyId: null, subject: 'test' };
    for (const id of ids) {
      const workflow = await eventually(async () => {
        const { workflow } = await survivor.request<{ workflow: { status: string; events: { sequence: number; type: string; step: string | null }[] } }>(
          'query($id: ID!) { workflow(id: $id) { status events { sequence type step } } }',
          { id },
          tenant,
        );
        return ['SUCCEEDED', 'FAILED'].includes(workflow.status) ? workflow : undefined;
      }, 60_000, 200);
      expect(workflow.status).toBe('SUCCEEDED');
      expect(workflow.events.map((e) => e.sequence)).toEqual(workflow.events.map((_, i) => i + 1));
      expect(workflow.events.filter((e) => e.type === 'MODEL_CALL' && e.step === 'plan')).toHaveLength(1);
    }
  });
});
