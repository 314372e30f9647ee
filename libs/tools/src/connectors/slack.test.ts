import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OutboundHttpClient, OutboundHttpError } from '../http/outbound-http-client.ts';
import { fakeDns, startLoopbackServer, toolContext, toolFailure, type LoopbackServer } from '../http/testing/loopback-server.ts';
import { ToolRegistry } from '../registry.ts';
import { ConnectorError } from './connector-support.ts';
import { slackPostMessageTool } from './slack.ts';

const TOKEN = 'xoxwebhooksecret0123456789';
const BLOCK_TYPES = new Set(['section', 'divider', 'header', 'context', 'actions', 'image', 'input', 'rich_text', 'video', 'file']);

// Slack's incoming webhook as documented: POST JSON to /services/T…/B…/<secret>; "ok", or a status
// with a plain-text error code.
let slack: LoopbackServer;
let channel: 'active' | 'archived' | 'rate-limited' | 'failing' = 'active';
beforeAll(async () => {
  slack = await startLoopbackServer((req, res) => {
    const plain = (status: number, text: string, headers: Record<string, string> = {}) => res.writeHead(status, { 'content-type': 'text/plain', ...headers }).end(text);
    if (req.method !== 'POST') return plain(405, 'invalid_method');
    if (req.path !== `/services/T0001/B0001/${TOKEN}`) return plain(404, 'no_service');
    if (!String(req.headers['content-type']).startsWith('application/json')) return plain(400, 'invalid_payload');
    let payload: { text?: unknown; blocks?: unknown };
    try {
      payload = JSON.parse(req.body) as typeof payload;
    } catch {
      return plain(400, 'invalid_payload');
    }
    if (typeof payload.text !== 'string' && payload.blocks === undefined) return plain(400, 'no_text');
    if (payload.blocks !== undefined && (!Array.isArray(payload.blocks) || !payload.blocks.every((b: { type?: string }) => BLOCK_TYPES.has(b.type ?? '')))) return plain(400, 'invalid_blocks');
    if (channel === 'archived') return plain(410, 'channel_is_archived');
    if (channel === 'rate-limited') return plain(429, 'rate_limited', { 'retry-after': '30' });
    if (channel === 'failing') return plain(500, 'rollup_error');
    return plain(200, 'ok');
  });
});
afterAll(() => slack.close());
beforeEach(() => {
  channel = 'active';
  slack.requests.length = 0;
});

const webhook = () => slack.url(`/services/T0001/B0001/${TOKEN}`);
const client = new OutboundHttpClient({ privateHostExemptions: ['127.0.0.1'], resolve: fakeDns({ 'hooks.internal.test': ['10.0.0.7'] }) });
const tool = slackPostMessageTool(client);
const registry = new ToolRegistry([tool]);
const context = (secrets: Record<string, string> = { 'slack.webhook_url': webhook() }) => toolContext({ secrets });

const failure = (args: unknown, ctx = context()) => toolFailure(tool, args, ctx) as Promise<ConnectorError | OutboundHttpError>;

describe('slack_post_message', () => {
  it('posts the text as JSON to the tenant\'s webhook', async () => {
    const outcome = await registry.call('slack_post_message', { text: 'Claim *12345* approved' }, context());
    expect(outcome).toMatchObject({ ok: true, result: { posted: true } });
    expect(slack.requests).toHaveLength(1);
    expect(slack.requests[0]!.method).toBe('POST');
    expect(slack.requests[0]!.headers['content-type']).toBe('application/json');
    expect(JSON.parse(slack.requests[0]!.body)).toEqual({ text: 'Claim *12345* approved' });
  });

  it('sends Block Kit blocks with the fallback text', async () => {
    const blocks = [{ type: 'header', text: { type: 'plain_text', text: 'Weekly report' } }, { type: 'divider' }];
    const outcome = await registry.call('slack_post_message', { text: 'Weekly report', blocks }, context());
    expect(outcome.ok).toBe(true);
    expect(JSON.parse(slack.requests[0]!.body)).toEqual({ text: 'Weekly report', blocks });
  });

  it('tells the model to fix a payload Slack refuses', async () => {
    const outcome = await registry.call('slack_post_message', { text: 'x', blocks: [{ type: 'banner' }] }, context());
    expect(outcome.observation).toBe('Error: slack_post_message: Slack refused the message (invalid_blocks): fix the text or the blocks (Block Kit) and send it again');
    expect(((await failure({ text: 'x', blocks: [{ type: 'banner' }] })) as ConnectorError).code).toBe('BAD_REQUEST');
  });

  it('maps a revoked webhook, an archived channel, rate limits and Slack failures', async () => {
    const revoked = (await failure({ text: 'hi' }, context({ 'slack.webhook_url': slack.url('/services/T0001/B0001/revokedtoken') }))) as ConnectorError;
    expect(revoked.code).toBe('UNAUTHENTICATED');
    expect(revoked.message).toBe('the Slack webhook is no longer valid (no_service); an admin should create a new incoming webhook and replace the integration secret slack.webhook_url');

    channel = 'archived';
    const archived = (await failure({ text: 'hi' })) as ConnectorError;
    expect([archived.code, archived.status]).toEqual(['NOT_FOUND', 410]);

    channel = 'rate-limited';
    const limited = (await failure({ text: 'hi' })) as ConnectorError;
    expect([limited.code, limited.retryable]).toEqual(['RATE_LIMITED', true]);
    expect(limited.message).toContain('Retry after 30 s.');

    channel = 'failing';
    const failing = (await failure({ text: 'hi' })) as ConnectorError;
    expect([failing.code, failing.retryable, failing.message]).toEqual(['UPSTREAM_ERROR', true, 'Slack failed to post the message (rollup_error); try again later']);
  });

  it('says which secret to set when the tenant has none, and refuses a malformed one', async () => {
    const outcome = await registry.call('slack_post_message', { text: 'hi' }, context({}));
    expect(outcome.observation).toBe('Error: slack_post_message: set the integration secret slack.webhook_url; an admin can add it in the integration settings');
    const malformed = (await failure({ text: 'hi' }, context({ 'slack.webhook_url': 'hooks.slack.com/services/x' }))) as ConnectorError;
    expect(malformed.code).toBe('INVALID_CONFIG');
    expect(malformed.message).not.toContain('hooks.slack.com/services/x');
    expect(slack.requests).toHaveLength(0);
  });

  it('never sends the webhook over plain http to a public host, nor to a private address', async () => {
    const insecure = (await failure({ text: 'hi' }, context({ 'slack.webhook_url': `http://hooks.slack.com/services/T0001/B0001/${TOKEN}` }))) as OutboundHttpError;
    expect(insecure.code).toBe('INSECURE_TRANSPORT');
    const internal = (await failure({ text: 'hi' }, context({ 'slack.webhook_url': `https://hooks.internal.test/services/T0001/B0001/${TOKEN}` }))) as OutboundHttpError;
    expect(internal.message).toBe('hooks.internal.test resolves to a private address 10.0.0.7; refused (tools may only reach public addresses)');
  });

  it('never shows the webhook URL in results, errors or call records', async () => {
    const calls = [
      registry.call('slack_post_message', { text: 'hi' }, context()),
      registry.call('slack_post_message', { text: 'x', blocks: [{ type: 'banner' }] }, context()),
      registry.call('slack_post_message', { text: 'hi' }, context({ 'slack.webhook_url': `http://hooks.slack.com/services/T0001/B0001/${TOKEN}` })),
      registry.call('slack_post_message', { text: 'hi' }, context({ 'slack.webhook_url': `https://hooks.internal.test/services/T0001/B0001/${TOKEN}` })),
    ];
    for (const outcome of await Promise.all(calls)) {
      expect(JSON.stringify(outcome)).not.toContain(TOKEN);
      expect(JSON.stringify(outcome)).not.toContain('/services/T0001');
    }
  });
});
