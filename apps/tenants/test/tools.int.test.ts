import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateTenantDocument,
  IngestDocumentDocument,
  McpServersDocument,
  RegisterMcpServerDocument,
  SetIntegrationSecretDocument,
  StartWorkflowDocument,
  ToolsDocument,
  UpdateToolSettingsDocument,
  WorkflowDocument,
  type SwitchyardClient,
} from '@switchyard/client';
import { eventually, startTestStack, type TestStack } from '@switchyard/testkit';
import { startHttpMcpServer, type HttpMcpFixture } from '../../../libs/tools/test/fixtures/mcp-http-server.ts';

/** A local stand-in for Slack's incoming webhooks: checks the request the way Slack documents it. */
async function startSlackWebhook(): Promise<{ url: string; posts: Array<{ path: string; body: unknown }>; close(): Promise<void> }> {
  const posts: Array<{ path: string; body: unknown }> = [];
  const read = async (req: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  };
  const server: Server = createServer((req, res) => {
    void read(req).then((text) => {
      if (req.method !== 'POST' || !req.headers['content-type']?.startsWith('application/json')) return res.writeHead(400).end('invalid_payload');
      posts.push({ path: req.url ?? '', body: JSON.parse(text) });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, posts, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

async function finished(client: SwitchyardClient, id: string) {
  return eventually(async () => {
    const { workflow } = await client.request(WorkflowDocument, { id });
    return workflow && ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(workflow.status) ? workflow : undefined;
  }, 60_000, 200);
}

const assistantWith = (tools: string[]) => ({
  type: 'round_robin',
  participants: [{ type: 'assistant', name: 'operator', tools }],
  termination: { maxMessages: 2 },
});

describe('tools through the platform (real services, a real MCP server, a local Slack webhook)', () => {
  let stack: TestStack;
  let slack: Awaited<ReturnType<typeof startSlackWebhook>>;
  let mcp: HttpMcpFixture;

  beforeAll(async () => {
    slack = await startSlackWebhook();
    mcp = await startHttpMcpServer('mcp-secret-token');
    // Loopback servers stand in for Slack and the MCP server, so the operator exempts 127.0.0.1 from the private-address rule.
    stack = await startTestStack({ env: { SWITCHYARD_TOOLS_PRIVATE_HOSTS: '127.0.0.1' } });
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
    await mcp?.close();
    await slack?.close();
  });

  it('lists the platform tools with their schemas; tools that reach outside start disabled', async () => {
    const { tools, toolConfig } = await stack.client().request(ToolsDocument, {});
    const byName = new Map(tools.map((t) => [t.name, t]));
    expect(byName.get('calculator')).toMatchObject({ enabled: true, source: 'builtin', parameters: { properties: { expression: { type: 'string' } } } });
    for (const name of ['knowledge_search', 'run_code', 'current_time']) expect(byName.get(name)?.enabled).toBe(true);
    for (const name of ['http_request', 'slack_post_message', 'jira_create_issue', 'jira_add_comment', 'salesforce_query', 'salesforce_create_record']) expect(byName.get(name)?.enabled).toBe(false);
    expect(toolConfig).toEqual({ allowedHosts: [] });
  });

  it('a workflow refuses a tool the tenant has not enabled, then uses it once enabled, with the secret from the tenant', async () => {
    const client = stack.client();
    await expect(client.request(StartWorkflowDocument, { input: { input: 'Tell the team the release is out', framework: 'AUTOGEN', definition: assistantWith(['slack_post_message']) } })).rejects.toMatchObject({
      errors: [expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }), message: expect.stringContaining('slack_post_message') })],
    });

    await client.request(SetIntegrationSecretDocument, { input: { integration: 'slack', name: 'webhook_url', value: `${slack.url}/services/T0001/B0001/secretpart` } });
    const { updateToolSettings } = await client.request(UpdateToolSettingsDocument, { input: { enable: ['slack_post_message'] } });
    expect(updateToolSettings.find((t) => t.name === 'slack_post_message')?.enabled).toBe(true);

    const { startWorkflow } = await client.request(StartWorkflowDocument, { input: { input: 'Tell the team the release is out', framework: 'AUTOGEN', definition: assistantWith(['slack_post_message']) } });
    const workflow = await finished(client, startWorkflow.id);
    expect(workflow.status).toBe('SUCCEEDED');
    const call = workflow.events.find((e) => e.type === 'TOOL_CALL')!;
    expect(call.data).toMatchObject({ tool: 'slack_post_message', source: 'connector', ok: true, arguments: { text: expect.any(String) } });
    expect((call.data as { durationMs: number }).durationMs).toBeGreaterThan(0);
    expect(slack.posts).toHaveLength(1);
    expect(slack.posts[0]).toMatchObject({ path: '/services/T0001/B0001/secretpart', body: { text: expect.any(String) } });
    // The webhook URL is a secret: it appears in no event.
    expect(JSON.stringify(workflow.events)).not.toContain('secretpart');
  });

  it("an MCP server the tenant registers adds its tools for that tenant only, and workflows call them", async () => {
    const client = stack.client();
    await client.request(SetIntegrationSecretDocument, { input: { integration: 'mcp', name: 'docs_token', value: 'mcp-secret-token' } });
    const { registerMcpServer } = await client.request(RegisterMcpServerDocument, {
      config: { name: 'docs', transport: 'streamable-http', url: mcp.url, headers: { Authorization: 'Bearer ${secret:mcp.docs_token}' } },
    });
    expect(registerMcpServer).toEqual([{ name: 'docs', tools: 4, error: null }]);
    const { mcpServers } = await client.request(McpServersDocument, {});
    expect(mcpServers[0]).toMatchObject({ name: 'docs', transport: 'streamable-http', headerNames: ['Authorization'], tools: 4 });
    const { tools } = await client.request(ToolsDocument, {});
    expect(tools.find((t) => t.name === 'docs__add')).toMatchObject({ enabled: true, source: 'mcp:docs', parameters: { properties: { a: { type: 'number' }, b: { type: 'number' } } } });

    const callsBefore = mcp.log.calls.length;
    const { startWorkflow } = await client.request(StartWorkflowDocument, { input: { input: 'Add 2 and 3', framework: 'AUTOGEN', definition: assistantWith(['docs__add']) } });
    const workflow = await finished(client, startWorkflow.id);
    expect(workflow.status).toBe('SUCCEEDED');
    expect(workflow.events.find((e) => e.type === 'TOOL_CALL')?.data).toMatchObject({ tool: 'docs__add', source: 'mcp:docs', ok: true });
    expect(mcp.log.calls.slice(callsBefore)).toEqual([{ tool: 'add', arguments: { a: expect.any(Number), b: expect.any(Number) } }]);

    // Another tenant sees none of it and cannot use it.
    const admin = stack.client(stack.adminKey);
    const { createTenant } = await admin.request(CreateTenantDocument, { input: { name: 'Globex' } });
    const other = stack.client(createTenant.secret);
    const { tools: otherTools } = await other.request(ToolsDocument, {});
    expect(otherTools.some((t) => t.name.startsWith('docs__'))).toBe(false);
    expect((await other.request(McpServersDocument, {})).mcpServers).toEqual([]);
    await expect(other.request(StartWorkflowDocument, { input: { input: 'Add 2 and 3', framework: 'AUTOGEN', definition: assistantWith(['docs__add']) } })).rejects.toMatchObject({
      errors: [expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) })],
    });
  });

  it("knowledge_search gives a workflow passages of the tenant's own documents, with their source", async () => {
    const client = stack.client();
    await client.request(IngestDocumentDocument, {
      input: { title: 'Returns policy', content: 'Damaged goods may be returned within 60 days of delivery for a full refund. Refunds are paid to the original card.' },
    });
    await client.request(IngestDocumentDocument, { input: { title: 'Office plants', content: 'Water the ficus every Tuesday and keep it away from the radiator.' } });
    const { startWorkflow } = await client.request(StartWorkflowDocument, {
      input: { input: 'How many days do customers have to return damaged goods?', framework: 'AUTOGEN', definition: assistantWith(['knowledge_search']) },
    });
    const workflow = await finished(client, startWorkflow.id);
    expect(workflow.status).toBe('SUCCEEDED');
    const call = workflow.events.find((e) => e.type === 'TOOL_CALL')!;
    expect(call.data).toMatchObject({ tool: 'knowledge_search', ok: true });
    const preview = (call.data as { preview: string }).preview;
    expect(preview).toContain('Returns policy');
    expect(preview.indexOf('Returns policy')).toBeLessThan(preview.indexOf('Office plants') === -1 ? Infinity : preview.indexOf('Office plants'));
  });
});
