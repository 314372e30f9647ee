import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseHostList } from '../http/host-patterns.ts';
import { startLoopbackServer, toolContext, type LoopbackServer } from '../http/testing/loopback-server.ts';
import { ToolRegistry } from '../registry.ts';
import { outboundTools } from './outbound-tools.ts';

let webhook: LoopbackServer;
beforeAll(async () => {
  webhook = await startLoopbackServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok'));
});
afterAll(() => webhook.close());

describe('outboundTools', () => {
  it('offers http_request and the five connector tools, each with a JSON Schema for the model', () => {
    const registry = new ToolRegistry(outboundTools());
    expect(registry.names()).toEqual(['http_request', 'slack_post_message', 'jira_create_issue', 'jira_add_comment', 'salesforce_query', 'salesforce_create_record']);
    expect(registry.list().map((tool) => tool.source)).toEqual(['builtin', 'connector', 'connector', 'connector', 'connector', 'connector']);
    for (const spec of registry.specs()) expect(spec.parameters).toMatchObject({ type: 'object', properties: expect.any(Object) });
  });

  it('refuses loopback unless the operator exempted it (SWITCHYARD_TOOLS_PRIVATE_HOSTS)', async () => {
    const httpsContext = toolContext({ secrets: { 'slack.webhook_url': `https://127.0.0.1:${webhook.port}/services/T1/B1/abc` } });
    const locked = await new ToolRegistry(outboundTools()).call('slack_post_message', { text: 'hi' }, httpsContext);
    expect(locked.observation).toBe('Error: slack_post_message: 127.0.0.1 is a loopback address; refused (tools may only reach public addresses)');
    // An exempted host may also use plain http (an on-premises service without TLS, a test server).
    const context = toolContext({ secrets: { 'slack.webhook_url': webhook.url('/services/T1/B1/abc') } });
    const exempted = await new ToolRegistry(outboundTools({ privateHostExemptions: parseHostList('127.0.0.1') })).call('slack_post_message', { text: 'hi' }, context);
    expect(exempted.result).toEqual({ posted: true });
    expect(webhook.requests).toHaveLength(1);
  });
});
