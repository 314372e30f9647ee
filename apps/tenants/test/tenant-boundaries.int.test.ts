import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateTenantDocument,
  EraseTenantDataDocument,
  SetTenantLimitsDocument,
  StartWorkflowDocument,
  SwitchyardClientError,
  TenantLimitsDocument,
  ViewerDocument,
  WorkflowDocument,
} from '@switchyard/client';
import { eventually, startTestStack, type TestStack } from '@switchyard/testkit';

/** Every row of every SQLite store of the platform that belongs to `tenantId` (by partition or by content). */
function rowsOf(stateDir: string, tenantId: string): string[] {
  const found: string[] = [];
  const dataDir = join(stateDir, 'data');
  for (const file of readdirSync(dataDir).filter((f) => f.endsWith('.db'))) {
    const db = new Database(join(dataDir, file), { readonly: true });
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'doc\\_%' ESCAPE '\\'").pluck().all() as string[];
    for (const table of tables) {
      for (const row of db.prepare(`SELECT tenant_id, id, data FROM "${table}"`).all() as { tenant_id: string; id: string; data: string }[]) {
        if (file === 'tenants.db' && table === 'doc_audit_log' && row.tenant_id === '_platform') continue;
        if (row.tenant_id === tenantId || row.data.includes(tenantId)) found.push(`${file}:${table}:${row.id}`);
      }
    }
    db.close();
  }
  return found;
}

async function refusal(promise: Promise<unknown>): Promise<{ code?: string; message: string; extensions: Record<string, unknown> }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SwitchyardClientError) return { code: error.code, message: error.errors[0]!.message, extensions: (error.errors[0]!.extensions ?? {}) as Record<string, unknown> };
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('tenant boundaries: limits by plan, and an erasure nothing outlives', () => {
  let stack: TestStack;
  beforeAll(async () => {
    // Slow model calls, so a workflow is surely mid-run when its tenant is erased.
    stack = await startTestStack({ env: { LLM_SIMULATOR_LATENCY_MS: '400' } });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("rate-limits and gives quotas by the tenant's plan, overridable per tenant by a platform admin only", async () => {
    const admin = stack.client(stack.adminKey);
    const { createTenant } = await admin.request(CreateTenantDocument, { input: { name: 'Free Corp', plan: 'free' } });
    const id = createTenant.tenant.id;
    const client = stack.client(createTenant.secret);
    const { tenant } = await client.request(TenantLimitsDocument, { id });
    expect(tenant!.limits).toEqual({ plan: 'free', requestsPerSecond: 5, burst: 10, runsPerMonth: 1000, concurrentWorkflows: 5, overridden: [] });

    // A free tenant's burst is 10: of 25 requests at once, most are refused, saying which limit and what to do.
    const answers = await Promise.all(Array.from({ length: 25 }, () => refusal(client.request(ViewerDocument)).catch(() => null)));
    const refused = answers.filter((a) => a !== null);
    expect(refused.length).toBeGreaterThanOrEqual(12);
    expect(refused[0]).toMatchObject({ code: 'RATE_LIMITED', extensions: { plan: 'free', limit: 'tenantRequestsPerSecond' } });
    expect(refused[0]!.message).toMatch(/free plan: 5\/s, bursts of 10\); retry after \d+ s, or ask your platform admin/);
    // The team-plan dev tenant is not held back by it.
    expect((await Promise.all(Array.from({ length: 25 }, () => stack.client().request(ViewerDocument)))).length).toBe(25);

    // The burst above emptied the free tenant's bucket: let it refill (5/s) so the next refusal is about the role, not the rate.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect((await refusal(client.request(SetTenantLimitsDocument, { tenantId: id, input: { concurrentWorkflows: 100 } }))).code).toBe('FORBIDDEN');
    const bad = await refusal(admin.request(SetTenantLimitsDocument, { tenantId: id, input: { runsPerMonth: -3 } }));
    expect(bad).toMatchObject({ code: 'BAD_USER_INPUT', extensions: { field: 'input.runsPerMonth' } });
    const { setTenantLimits } = await admin.request(SetTenantLimitsDocument, { tenantId: id, input: { concurrentWorkflows: 1, requestsPerSecond: 100, burst: 200 } });
    expect(setTenantLimits.limits).toMatchObject({ plan: 'free', concurrentWorkflows: 1, burst: 200, overridden: ['requestsPerSecond', 'burst', 'concurrentWorkflows'] });

    await new Promise((resolve) => setTimeout(resolve, 1000)); // the old bucket refills a little at the new rate
    const { startWorkflow } = await client.request(StartWorkflowDocument, { input: { input: 'Triage ticket 7', framework: 'LANGGRAPH' } });
    const second = await refusal(client.request(StartWorkflowDocument, { input: { input: 'Triage ticket 8', framework: 'LANGGRAPH' } }));
    expect(second).toMatchObject({ code: 'QUOTA_EXCEEDED', extensions: { quota: 'concurrentWorkflows', limit: 1, plan: 'free' } });
    expect(second.message).toContain('its limit of 1 (free plan; a larger plan or limit comes from your platform admin)');
    await eventually(async () => ((await client.request(WorkflowDocument, { id: startWorkflow.id })).workflow?.status === 'SUCCEEDED' ? true : undefined), 60_000, 200);

    const back = await admin.request(SetTenantLimitsDocument, { tenantId: id, input: { concurrentWorkflows: null, plan: 'enterprise' } });
    expect(back.setTenantLimits.limits).toMatchObject({ plan: 'enterprise', concurrentWorkflows: 1000, requestsPerSecond: 100, overridden: ['requestsPerSecond', 'burst'] });
  });

  it('cancels a run in flight when its tenant is erased, and nothing of the tenant is written afterwards, metrics included', async () => {
    const { createTenant } = await stack.client(stack.adminKey).request(CreateTenantDocument, { input: { name: 'Erased Mid-run' } });
    const tenantId = createTenant.tenant.id;
    const client = stack.client(createTenant.secret);
    const started = await Promise.all(['Triage ticket 100', 'Triage ticket 101'].map((input) => client.request(StartWorkflowDocument, { input: { input, framework: 'LANGGRAPH' } })));
    // Mid-run: a model call was metered, and the run is not over.
    await eventually(async () => {
      const { workflow } = await client.request(WorkflowDocument, { id: started[0]!.startWorkflow.id });
      return workflow!.events.some((e) => e.type === 'MODEL_CALL') ? true : undefined;
    }, 30_000, 50);
    const running = await client.request(WorkflowDocument, { id: started[0]!.startWorkflow.id });
    expect(running.workflow!.status).toBe('RUNNING');
    const billingMetrics = stack.supervisor.replicasOf('billing')[0]!.url.replace(/\/graphql$/, '/metrics');
    await eventually(async () => ((await (await fetch(billingMetrics)).text()).includes(`tenant="${tenantId}"`) ? true : undefined), 10_000, 100);

    expect((await client.request(EraseTenantDataDocument, { confirmTenantId: tenantId })).eraseTenantData).toBe(true);
    expect(rowsOf(stack.stateDir, tenantId)).toEqual([]);
    // Long enough for every model call in flight at the erasure to have ended and tried to report.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(rowsOf(stack.stateDir, tenantId)).toEqual([]);
    for (const service of ['billing', 'workflows', 'engine-langgraph', 'selection', 'tenants']) {
      const text = await (await fetch(stack.supervisor.replicasOf(service as 'billing')[0]!.url.replace(/\/graphql$/, '/metrics'))).text();
      expect(text, service).not.toContain(tenantId);
    }
    expect((await refusal(client.request(ViewerDocument))).code).toBe('UNAUTHENTICATED');
    // Everyone else carries on.
    const { startWorkflow } = await stack.client().request(StartWorkflowDocument, { input: { input: 'Triage ticket 102', framework: 'LANGGRAPH' } });
    await eventually(async () => ((await stack.client().request(WorkflowDocument, { id: startWorkflow.id })).workflow?.status === 'SUCCEEDED' ? true : undefined), 60_000, 200);
  });
});
