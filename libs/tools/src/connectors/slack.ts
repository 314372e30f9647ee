import { z } from 'zod';
import { allowedHostsOf } from '../http/http-request-tool.ts';
import type { OutboundHttpClient, OutboundResponse } from '../http/outbound-http-client.ts';
import type { Tool } from '../tool.ts';
import { ConnectorError, defineConnectorTool, parseServiceUrl, retryAfterNote } from './connector-support.ts';

const WEBHOOK_SECRET = 'slack.webhook_url';

// Slack's incoming-webhook error codes (https://api.slack.com/messaging/webhooks#handling_errors).
const FIXABLE_BY_MODEL = new Set(['invalid_payload', 'no_text', 'invalid_blocks', 'invalid_blocks_format', 'too_many_attachments', 'invalid_attachments', 'msg_too_long']);
const WEBHOOK_REVOKED = new Set(['no_service', 'no_service_id', 'no_team', 'team_disabled', 'invalid_token', 'invalid_auth', 'token_revoked']);
const CHANNEL_GONE = new Set(['channel_not_found', 'channel_is_archived']);
const NOT_PERMITTED = new Set(['action_prohibited', 'posting_to_general_channel_denied']);

/** Maps a webhook's non-"ok" answer to what the model (or an admin) must do. */
function slackError(response: OutboundResponse): ConnectorError {
  const text = response.body.toString('utf8').trim();
  const code = /^[a-z_]{1,64}$/.test(text) ? text : `HTTP ${response.status}`;
  const status = response.status;
  if (FIXABLE_BY_MODEL.has(code)) return new ConnectorError('BAD_REQUEST', `Slack refused the message (${code}): fix the text or the blocks (Block Kit) and send it again`, { status });
  if (WEBHOOK_REVOKED.has(code) || status === 401) {
    return new ConnectorError('UNAUTHENTICATED', `the Slack webhook is no longer valid (${code}); an admin should create a new incoming webhook and replace the integration secret ${WEBHOOK_SECRET}`, { status });
  }
  if (CHANNEL_GONE.has(code)) return new ConnectorError('NOT_FOUND', `the webhook's Slack channel is gone or archived (${code}); an admin should create a webhook for an active channel and replace ${WEBHOOK_SECRET}`, { status });
  if (NOT_PERMITTED.has(code) || status === 403) return new ConnectorError('FORBIDDEN', `Slack does not let this webhook post (${code}); a Slack workspace admin must allow it`, { status });
  if (status === 404) return new ConnectorError('NOT_FOUND', `Slack does not know this webhook (${code}); an admin should check the integration secret ${WEBHOOK_SECRET}`, { status });
  if (status === 429) return new ConnectorError('RATE_LIMITED', `Slack is rate-limiting this webhook (${code}).${retryAfterNote(response)}`, { status, retryable: true });
  if (status >= 500) return new ConnectorError('UPSTREAM_ERROR', `Slack failed to post the message (${code}); try again later`, { status, retryable: true });
  return new ConnectorError('UPSTREAM_ERROR', `Slack did not accept the message (${code})`, { status });
}

const Block = z.looseObject({ type: z.string().min(1) });

/**
 * slack_post_message: posts to the channel of the tenant's incoming webhook (integration secret
 * slack.webhook_url). The webhook URL is the credential: it never appears in a result or an error.
 */
export function slackPostMessageTool(client: OutboundHttpClient): Tool {
  return defineConnectorTool({
    name: 'slack_post_message',
    description:
      "Post a message to this organisation's Slack channel (the one its Slack integration is set up for). Send plain text with Slack's mrkdwn formatting, and optionally Block Kit blocks for layout (the text is then the notification fallback).",
    args: z.object({
      text: z.string().min(1).max(40_000).describe('The message, in Slack mrkdwn'),
      blocks: z.array(Block).max(50).optional().describe('Block Kit blocks, each an object with a "type"'),
    }),
    execute: async ({ text, blocks }, context, secrets) => {
      const webhook = parseServiceUrl(await secrets.credential(WEBHOOK_SECRET), `the integration secret ${WEBHOOK_SECRET}`, 'https://hooks.slack.com/services/T000/B000/XXXX');
      const response = await client.send({
        method: 'POST',
        url: webhook.toString(),
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(blocks ? { text, blocks } : { text }),
        allowedHosts: allowedHostsOf(context.config),
        hostFromTenantConfig: true,
        carriesCredentials: true,
        signal: context.signal,
      });
      if (response.status === 200 && response.body.toString('utf8').trim() === 'ok') return { posted: true };
      throw slackError(response);
    },
  });
}
