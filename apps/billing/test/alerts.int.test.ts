import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestStack, type TestStack } from '@switchyard/testkit';

// Alert rules evaluated every 300 ms here (60 s by default); model calls retried once (3 by default).
let stack: TestStack;
let hook: Server;
let webhookSecret = '';
const delivered: Array<{ body: Record<string, any>; signatureValid: boolean }> = [];

beforeAll(async () => {
  hook = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
    req.on('end', () => {
      const [t, v1] = String(req.headers['x-switchyard-signature']).split(',').map((part) => part.split('=')[1] ?? '');
      const expected = createHmac('sha256', webhookSecret).update(`${t}.${raw}`).digest('hex');
      delivered.push({ body: JSON.parse(raw), signatureValid: v1!.length === expected.length && timingSafeEqual(Buffer.from(v1!), Buffer.from(expected)) });
      res.end();
    });
  });
  await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
  stack = await startTestStack({ env: { ALERT_EVALUATION_MS: '300', BUDGET_WEBHOOK_ALLOWED_HOSTS: '127.0.0.1', BUDGET_WEBHOOK_BACKOFF_MS: '50', LLM_MAX_RETRIES: '1' } });
});
afterAll(async () => {
  await stack?.stop({ keepState: !!process.env.KEEP_STATE });
  if (process.env.KEEP_STATE) console.log('state', stack?.stateDir);
  await new Promise((resolve) => hook.close(resolve));
});

async function gql<T = Record<string, any>>(key: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const response = await fetch(stack.gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: Array<{ message: string; extensions?: { code?: string; field?: string } }> };
  if (body.errors?.length) throw Object.assign(new Error(body.errors[0]!.message), { code: body.errors[0]!.extensions?.code, field: body.errors[0]!.extensions?.field });
  return body.data!;
}

const simulator = () => stack.supervisor.replicasOf('llm-simulator')[0]!.url.replace(/\/v1$/, '');

async function runClaim(key: string): Promise<string> {
  const { startWorkflow } = await gql(key, 'mutation($input: StartWorkflowInput!) { startWorkflow(input: $input) { id } }', { input: { input: 'Process insurance claim #12345', framework: 'LANGGRAPH' } });
  return eventually(async () => {
    const { workflow } = await gql(key, 'query($id: ID!) { workflow(id: $id) { status } }', { id: startWorkflow.id });
    return workflow.status === 'SUCCEEDED' || workflow.status === 'FAILED' ? (workflow.status as string) : undefined;
  }, 90_000, 200);
}

const RULES = 'query($id: ID!) { tenant(id: $id) { alertRules { id name state lastValue lastEvaluatedAt firingSince } alertEvents { id ruleId kind value threshold at delivery { state attempts } } } }';
const SET_RULE = 'mutation($input: AlertRuleInput!) { setAlertRule(input: $input) { id name metric condition threshold windowSeconds minSamples state } }';

describe('tenant alerts through the gateway', () => {
  it('refuses bad rules with BAD_USER_INPUT by the field, and keeps rules to their tenant', async () => {
    const a = stack.apiKey;
    await expect(gql(a, SET_RULE, { input: { name: 'x', metric: 'ERROR_RATE', condition: 'THRESHOLD' } })).rejects.toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.threshold' });
    await expect(gql(a, SET_RULE, { input: { name: 'x', metric: 'ERROR_RATE', condition: 'THRESHOLD', threshold: 5 } })).rejects.toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.threshold' });
    await expect(gql(a, SET_RULE, { input: { name: 'x', metric: 'COST_USD', condition: 'ANOMALY', windowSeconds: 1 } })).rejects.toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.windowSeconds' });
    await expect(gql(a, SET_RULE, { input: { name: '  ', metric: 'COST_USD', condition: 'ANOMALY' } })).rejects.toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.name' });
    await expect(gql(a, SET_RULE, { input: { id: 'no-such-rule', name: 'x', metric: 'COST_USD', condition: 'ANOMALY' } })).rejects.toMatchObject({ code: 'NOT_FOUND' });

    const { createTenant } = await gql(stack.adminKey, 'mutation { createTenant(input: { name: "Initech", plan: "team" }) { tenant { id } secret } }');
    const other = createTenant.secret as string;
    const { setAlertRule } = await gql(other, SET_RULE, { input: { name: 'Initech spend', metric: 'COST_USD', condition: 'THRESHOLD', threshold: 10 } });
    expect(setAlertRule).toMatchObject({ metric: 'COST_USD', condition: 'THRESHOLD', threshold: 10, windowSeconds: 300, state: 'OK' });
    const mine = await gql(a, RULES, { id: stack.tenantId });
    expect(mine.tenant.alertRules.map((rule: { id: string }) => rule.id)).not.toContain(setAlertRule.id);
    const theirs = await gql(a, RULES, { id: createTenant.tenant.id });
    // Another tenant is not found for A (and its rules would be empty if it were).
    expect(theirs.tenant?.alertRules ?? []).toEqual([]);
    await expect(gql(a, 'mutation($id: ID!) { deleteAlertRule(id: $id) }', { id: setAlertRule.id })).resolves.toEqual({ deleteAlertRule: false });
    expect((await gql(other, RULES, { id: createTenant.tenant.id })).tenant.alertRules).toHaveLength(1);
  });

  it('fires once when injected model faults fail runs, posts it signed, and resolves when runs succeed again', async () => {
    const a = stack.apiKey;
    const hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/alerts`;
    const { setBudget } = await gql(a, 'mutation($input: SetBudgetInput!) { setBudget(input: $input) { webhookSecret } }', { input: { monthlyLimitUsd: 1000, hardLimit: false, webhookUrl: hookUrl } });
    webhookSecret = setBudget.webhookSecret;
    const { setAlertRule: rule } = await gql(a, SET_RULE, {
      input: { name: 'Half the runs fail', metric: 'ERROR_RATE', condition: 'THRESHOLD', threshold: 0.5, windowSeconds: 12, minSamples: 2, resolveAfter: 2 },
    });

    // Healthy: two runs succeed, and the rule is evaluated calm.
    expect(await Promise.all([runClaim(a), runClaim(a)])).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    await eventually(async () => {
      const { tenant } = await gql(a, RULES, { id: stack.tenantId });
      const view = tenant.alertRules.find((r: { id: string }) => r.id === rule.id);
      return view.lastValue === 0 ? view : undefined;
    }, 20_000, 200);

    // The spike: every model call answers HTTP 500 until the faults are cleared.
    await fetch(`${simulator()}/_simulator/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ faults: Array(400).fill('500') }) });
    expect(await Promise.all([runClaim(a), runClaim(a), runClaim(a)])).toEqual(['FAILED', 'FAILED', 'FAILED']);
    await fetch(`${simulator()}/_simulator/reset`, { method: 'POST' });
    const firing = await eventually(async () => {
      const { tenant } = await gql(a, RULES, { id: stack.tenantId });
      return tenant.alertEvents.find((e: { ruleId: string; kind: string }) => e.ruleId === rule.id && e.kind === 'FIRING');
    }, 20_000, 200);
    expect(firing.value).toBeGreaterThan(0.5);
    expect(firing.threshold).toBe(0.5);
    // Still breaching for several evaluations: no second FIRING.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const during = await gql(a, RULES, { id: stack.tenantId });
    expect(during.tenant.alertRules.find((r: { id: string }) => r.id === rule.id)).toMatchObject({ state: 'FIRING', firingSince: expect.any(String) });

    // Recovery: the failed runs leave the window while new ones succeed.
    const deadline = Date.now() + 60_000;
    let resolved: any;
    while (!resolved && Date.now() < deadline) {
      expect(await runClaim(a)).toBe('SUCCEEDED');
      const { tenant } = await gql(a, RULES, { id: stack.tenantId });
      resolved = tenant.alertEvents.find((e: { ruleId: string; kind: string }) => e.ruleId === rule.id && e.kind === 'RESOLVED');
    }
    expect(resolved).toBeDefined();
    const { tenant } = await gql(a, RULES, { id: stack.tenantId });
    const events = tenant.alertEvents.filter((e: { ruleId: string }) => e.ruleId === rule.id);
    expect(events.map((e: { kind: string }) => e.kind)).toEqual(['RESOLVED', 'FIRING']);
    expect(tenant.alertRules.find((r: { id: string }) => r.id === rule.id).state).toBe('OK');

    // Both posted to the tenant's webhook, signed with its secret, once each.
    const posts = await eventually(async () => {
      const forRule = delivered.filter((d) => d.body.rule?.id === rule.id);
      return forRule.length >= 2 ? forRule : undefined;
    }, 10_000, 100);
    expect(posts.map((p) => p.body.type)).toEqual(['alert.firing', 'alert.resolved']);
    expect(posts.every((p) => p.signatureValid)).toBe(true);
    expect(posts[0]!.body).toMatchObject({ tenantId: stack.tenantId, rule: { name: 'Half the runs fail', metric: 'ERROR_RATE', condition: 'THRESHOLD' }, threshold: 0.5, windowSeconds: 12 });
    await eventually(async () => {
      const { tenant: after } = await gql(a, RULES, { id: stack.tenantId });
      const states = after.alertEvents.filter((e: { ruleId: string }) => e.ruleId === rule.id).map((e: { delivery: { state: string } }) => e.delivery.state);
      return states.every((s: string) => s === 'DELIVERED') ? true : undefined;
    }, 10_000, 100);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(delivered.filter((d) => d.body.rule?.id === rule.id)).toHaveLength(2);
  });
});
