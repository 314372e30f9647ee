import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { eventually, startTestStack, type TestStack } from '@switchyard/testkit';

// The simulator sends no usage here, as some compatible servers do: engines count tokens themselves.
let stack: TestStack;
let hook: Server;
const delivered: Array<{ signature: string; body: string }> = [];

beforeAll(async () => {
  hook = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      delivered.push({ signature: String(req.headers['x-switchyard-signature']), body });
      res.end();
    });
  });
  await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
  stack = await startTestStack({ env: { LLM_SIMULATOR_OMIT_USAGE: 'true', BUDGET_WEBHOOK_ALLOWED_HOSTS: '127.0.0.1', BUDGET_WEBHOOK_BACKOFF_MS: '50' } });
});
afterAll(async () => {
  await stack?.stop();
  await new Promise((resolve) => hook.close(resolve));
});

async function gql<T = Record<string, any>>(key: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const response = await fetch(stack.gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: Array<{ message: string; extensions?: { code?: string } }> };
  if (body.errors?.length) throw Object.assign(new Error(body.errors[0]!.message), { code: body.errors[0]!.extensions?.code });
  return body.data!;
}

async function runWorkflow(key: string): Promise<string> {
  const { startWorkflow } = await gql(key, 'mutation($input: StartWorkflowInput!) { startWorkflow(input: $input) { id } }', { input: { input: 'Process insurance claim #12345', framework: 'LANGGRAPH' } });
  await eventually(async () => {
    const { workflow } = await gql(key, 'query($id: ID!) { workflow(id: $id) { status } }', { id: startWorkflow.id });
    if (workflow.status === 'FAILED') throw new Error('workflow failed');
    return workflow.status === 'SUCCEEDED' ? true : undefined;
  }, 60_000, 200);
  return startWorkflow.id;
}

const COST = 'query($id: ID!) { workflow(id: $id) { cost { totalUsd inputTokens outputTokens modelCalls estimatedModelCalls byAgent { agent modelCalls } } } }';

describe('billing through the gateway', () => {
  it('meters tokenizer-counted calls, prices them with one tenant\'s negotiated price, breaks usage down, alerts through a signed webhook and states the month', async () => {
    const admin = stack.adminKey;
    const a = stack.apiKey;
    const { createTenant } = await gql(admin, 'mutation { createTenant(input: { name: "Globex", plan: "enterprise" }) { tenant { id } secret } }');
    const b = createTenant.secret as string;

    // Negotiated for tenant A only: $100 / $200 per million tokens of gpt-4o-mini (list: $0.15 / $0.60).
    await expect(gql(a, 'mutation { setNegotiatedPrice(input: { tenantId: "x", model: "gpt-4o-mini", inputUsdPerMillion: 1, outputUsdPerMillion: 1 }) { model } }')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await gql(admin, 'mutation($input: SetNegotiatedPriceInput!) { setNegotiatedPrice(input: $input) { model effectiveFrom } }', {
      input: { tenantId: stack.tenantId, model: 'gpt-4o-mini', inputUsdPerMillion: 100, outputUsdPerMillion: 200 },
    });
    const hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/budget`;
    const { setBudget } = await gql(a, 'mutation($input: SetBudgetInput!) { setBudget(input: $input) { thresholds webhookUrl webhookSecret } }', {
      input: { monthlyLimitUsd: 0.01, hardLimit: false, thresholds: [1, 100], webhookUrl: hookUrl },
    });
    expect(setBudget).toMatchObject({ thresholds: [1, 100], webhookUrl: hookUrl, webhookSecret: expect.stringMatching(/^whsec_/) });
    await expect(gql(a, 'mutation { setBudget(input: { monthlyLimitUsd: 1, hardLimit: false, webhookUrl: "http://localhost:9/x" }) { webhookUrl } }')).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });

    const [workflowA, workflowB] = await Promise.all([runWorkflow(a), runWorkflow(b)]);
    const costA = await eventually(async () => {
      const { workflow } = await gql(a, COST, { id: workflowA });
      return workflow.cost.modelCalls > 0 && workflow.cost.estimatedModelCalls === workflow.cost.modelCalls ? workflow.cost : undefined;
    }, 30_000, 200);
    const costB = await eventually(async () => {
      const { workflow } = await gql(b, COST, { id: workflowB });
      return workflow.cost.modelCalls > 0 && workflow.cost.estimatedModelCalls === workflow.cost.modelCalls ? workflow.cost : undefined;
    }, 30_000, 200);
    // Counted by the tokenizer although the provider reported nothing.
    expect(costA.inputTokens).toBeGreaterThan(10 * costA.modelCalls);
    expect(costA.outputTokens).toBeGreaterThan(0);
    expect(costA.totalUsd).toBeCloseTo((costA.inputTokens * 100 + costA.outputTokens * 200) / 1e6, 6);
    expect(costB.totalUsd).toBeCloseTo((costB.inputTokens * 0.15 + costB.outputTokens * 0.6) / 1e6, 8);

    // Breakdowns add up to the total.
    const { tenant } = await gql(a, `query($id: ID!) { tenant(id: $id) { plan usage { totalUsd modelCalls estimatedModelCalls byModel { model totalUsd modelCalls } byEngine { engine totalUsd modelCalls } byDay { day totalUsd modelCalls } } } }`, { id: stack.tenantId });
    const usage = tenant.usage;
    expect(usage).toMatchObject({ modelCalls: costA.modelCalls, estimatedModelCalls: costA.modelCalls });
    expect(usage.byModel).toEqual([{ model: 'gpt-4o-mini', totalUsd: usage.totalUsd, modelCalls: costA.modelCalls }]);
    expect(usage.byEngine).toEqual([{ engine: 'LANGGRAPH', totalUsd: usage.totalUsd, modelCalls: costA.modelCalls }]);
    expect(usage.byDay).toEqual([{ day: new Date().toISOString().slice(0, 10), totalUsd: usage.totalUsd, modelCalls: costA.modelCalls }]);

    // Both thresholds were crossed ($0.0001 and $0.01 of a $0.01 budget): one signed POST each.
    const alerts = await eventually(async () => {
      const data = await gql(a, 'query($id: ID!) { tenant(id: $id) { budgetAlerts { thresholdPercent delivery { state attempts } } } }', { id: stack.tenantId });
      const list = data.tenant.budgetAlerts as Array<{ thresholdPercent: number; delivery: { state: string } }>;
      return list.length === 2 && list.every((x) => x.delivery.state === 'DELIVERED') ? list : undefined;
    }, 30_000, 200);
    expect(alerts.map((x) => x.thresholdPercent).sort((x, y) => x - y)).toEqual([1, 100]);
    expect(delivered).toHaveLength(2);
    for (const { signature, body } of delivered) {
      const [, t, mac] = /^t=(\d+),v1=([0-9a-f]+)$/.exec(signature)!;
      expect(mac).toBe(createHmac('sha256', setBudget.webhookSecret).update(`${t}.${body}`).digest('hex'));
      expect(JSON.parse(body)).toMatchObject({ type: 'budget.threshold_crossed', tenantId: stack.tenantId });
    }

    // The month's statement: a live preview, priced with the plan's markup, CSV totals equal to the lines.
    const { tenant: withStatement } = await gql(a, 'query($id: ID!) { tenant(id: $id) { statement { status plan markup costUsd amountUsd modelCalls lines { model engine modelCalls costUsd amountUsd } csv } invoices { month } } }', { id: stack.tenantId });
    const statement = withStatement.statement;
    const markups: Record<string, number> = { free: 1, team: 1.25, enterprise: 1.15 };
    expect(statement).toMatchObject({ status: 'OPEN', plan: tenant.plan, markup: markups[tenant.plan], modelCalls: costA.modelCalls });
    expect(statement.lines).toHaveLength(1);
    expect(statement.costUsd).toBeCloseTo(usage.totalUsd, 5);
    expect(statement.amountUsd).toBeCloseTo(statement.costUsd * statement.markup, 5);
    const rows = parse(statement.csv, { columns: true }) as Record<string, string>[];
    expect(rows.at(-1)).toMatchObject({ model: 'TOTAL', amount_usd: statement.amountUsd.toFixed(6) });
    expect(withStatement.invoices).toEqual([]);
    // The current month cannot be closed yet; tenant B sees none of A's billing.
    await expect(gql(admin, `mutation { closeStatement(tenantId: "${stack.tenantId}", month: "${new Date().toISOString().slice(0, 7)}") { status } }`)).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    const { tenant: hidden } = await gql(b, 'query($id: ID!) { tenant(id: $id) { id } }', { id: stack.tenantId });
    expect(hidden).toBeNull();
  });
});
