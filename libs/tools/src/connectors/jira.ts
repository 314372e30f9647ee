import { z } from 'zod';
import { allowedHostsOf } from '../http/http-request-tool.ts';
import type { OutboundHttpClient, OutboundResponse } from '../http/outbound-http-client.ts';
import type { Tool, ToolContext } from '../tool.ts';
import { connectorConfig, ConnectorError, parseServiceUrl, responseJson, retryAfterNote, tryJson, type CallSecrets, defineConnectorTool } from './connector-support.ts';
import { textToAdf } from './jira-document.ts';

const JiraConfig = z.object({ baseUrl: z.string().min(1).optional() });
const CREDENTIALS_HINT = 'an admin should check the integration secrets jira.email and jira.api_token (an Atlassian API token)';

interface JiraSession {
  baseUrl: URL;
  authorization: string;
}

/** The tenant's Jira site (tool setting jira.baseUrl, else secret jira.base_url) and Basic credentials. */
async function jiraSession(context: ToolContext, secrets: CallSecrets): Promise<JiraSession> {
  const configured = connectorConfig(context.config, 'jira', JiraConfig)?.baseUrl ?? (await secrets.optional('jira.base_url'));
  if (!configured) {
    throw new ConnectorError('MISSING_SECRET', 'set the Jira site address: the tool setting jira.baseUrl or the integration secret jira.base_url (e.g. https://your-company.atlassian.net)');
  }
  const baseUrl = parseServiceUrl(configured, 'the Jira site address (jira.baseUrl)', 'https://your-company.atlassian.net');
  const email = await secrets.credential('jira.email');
  const token = await secrets.credential('jira.api_token');
  const encoded = Buffer.from(`${email}:${token}`, 'utf8').toString('base64');
  secrets.hide(encoded);
  return { baseUrl, authorization: `Basic ${encoded}` };
}

/** "summary: You must specify a summary; Field 'x' cannot be set" from Jira's {errorMessages, errors}. */
function jiraDetail(response: OutboundResponse): string {
  const body = tryJson(response) as { errorMessages?: unknown; errors?: unknown; message?: unknown } | undefined;
  const parts: string[] = [];
  if (body && typeof body === 'object') {
    if (Array.isArray(body.errorMessages)) parts.push(...body.errorMessages.filter((m): m is string => typeof m === 'string'));
    if (body.errors && typeof body.errors === 'object') {
      for (const [field, message] of Object.entries(body.errors as Record<string, unknown>)) parts.push(`${field}: ${String(message)}`);
    }
    if (parts.length === 0 && typeof body.message === 'string') parts.push(body.message);
  }
  return parts.join('; ').slice(0, 1000);
}

/** Jira's answer mapped to an error: what went wrong, and who can fix it. */
function jiraError(response: OutboundResponse, action: string, notFound: string): ConnectorError {
  const status = response.status;
  const detail = jiraDetail(response);
  const suffix = detail ? `: ${detail}` : '';
  switch (true) {
    case status === 400:
      return new ConnectorError('BAD_REQUEST', `Jira refused to ${action}${suffix || ' (400)'}`, { status });
    case status === 401:
      return new ConnectorError('UNAUTHENTICATED', `Jira did not accept the credentials (401); ${CREDENTIALS_HINT}`, { status });
    case status === 403:
      return new ConnectorError('FORBIDDEN', `the Jira account may not ${action} (403)${suffix}`, { status });
    case status === 404:
      return new ConnectorError('NOT_FOUND', `${notFound} (404)${suffix}`, { status });
    case status === 429:
      return new ConnectorError('RATE_LIMITED', `Jira is rate-limiting these requests (429).${retryAfterNote(response)}`, { status, retryable: true });
    case status >= 500:
      return new ConnectorError('UPSTREAM_ERROR', `Jira failed (${status})${suffix}; try again later`, { status, retryable: true });
    default:
      return new ConnectorError('UPSTREAM_ERROR', `Jira answered ${status}${suffix}`, { status });
  }
}

async function jiraPost(client: OutboundHttpClient, context: ToolContext, session: JiraSession, path: string, body: unknown): Promise<OutboundResponse> {
  return client.send({
    method: 'POST',
    url: `${session.baseUrl.toString().replace(/\/$/, '')}${path}`,
    headers: { authorization: session.authorization, 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
    allowedHosts: allowedHostsOf(context.config),
    hostFromTenantConfig: true,
    carriesCredentials: true,
    signal: context.signal,
  });
}

const ISSUE_KEY = /^[A-Z][A-Z0-9_]+-[1-9][0-9]*$/;

/** jira_create_issue: a new issue in the tenant's Jira Cloud site (REST v3, description in ADF). */
export function jiraCreateIssueTool(client: OutboundHttpClient): Tool {
  return defineConnectorTool({
    name: 'jira_create_issue',
    description: "Create an issue in this organisation's Jira: a project key (e.g. \"ENG\"), a one-line summary, an issue type (Task, Bug, Story, ...) and an optional plain-text description. Returns the new issue's key and link.",
    args: z.object({
      projectKey: z.string().regex(/^[A-Z][A-Z0-9_]{0,9}$/, 'must be a Jira project key in capitals, such as "ENG"'),
      summary: z.string().min(1).max(255).regex(/^[^\r\n]*$/, 'must be one line'),
      issueType: z.string().min(1).max(60).default('Task').describe('Task, Bug, Story, Epic, or a type of this project'),
      description: z.string().max(32_000).optional().describe('Plain text; blank lines separate paragraphs'),
      labels: z.array(z.string().regex(/^\S{1,255}$/, 'labels cannot contain spaces')).max(20).optional(),
    }),
    execute: async ({ projectKey, summary, issueType, description, labels }, context, secrets) => {
      const session = await jiraSession(context, secrets);
      const fields: Record<string, unknown> = { project: { key: projectKey }, summary, issuetype: { name: issueType } };
      if (description !== undefined && description.trim() !== '') fields['description'] = textToAdf(description);
      if (labels !== undefined) fields['labels'] = labels;
      const response = await jiraPost(client, context, session, '/rest/api/3/issue', { fields });
      if (response.status !== 201 && response.status !== 200) {
        throw jiraError(response, `create the issue in ${projectKey}`, 'Jira answered 404 to creating an issue; an admin should check the Jira site address (jira.baseUrl)');
      }
      const created = responseJson(response, 'Jira') as { id?: unknown; key?: unknown } | undefined;
      if (typeof created?.key !== 'string') throw new ConnectorError('UNEXPECTED_RESPONSE', 'Jira answered without the new issue\'s key', { status: response.status });
      return { key: created.key, id: String(created.id), url: `${session.baseUrl.toString().replace(/\/$/, '')}/browse/${created.key}` };
    },
  });
}

/** jira_add_comment: a comment on an existing issue (REST v3, body in ADF). */
export function jiraAddCommentTool(client: OutboundHttpClient): Tool {
  return defineConnectorTool({
    name: 'jira_add_comment',
    description: "Add a comment to an existing issue in this organisation's Jira, by issue key (e.g. \"ENG-42\"). The comment is plain text; blank lines separate paragraphs.",
    args: z.object({
      issueKey: z.string().regex(ISSUE_KEY, 'must be an issue key such as "ENG-42"'),
      body: z.string().min(1).max(32_000).refine((text) => text.trim() !== '', 'must not be blank'),
    }),
    execute: async ({ issueKey, body }, context, secrets) => {
      const session = await jiraSession(context, secrets);
      const response = await jiraPost(client, context, session, `/rest/api/3/issue/${encodeURIComponent(issueKey)}/comment`, { body: textToAdf(body) });
      if (response.status !== 201 && response.status !== 200) {
        throw jiraError(response, `comment on ${issueKey}`, `Jira has no issue ${issueKey}, or the account cannot see it; check the key`);
      }
      const comment = responseJson(response, 'Jira') as { id?: unknown; created?: unknown } | undefined;
      if (comment?.id === undefined) throw new ConnectorError('UNEXPECTED_RESPONSE', "Jira answered without the comment's id", { status: response.status });
      return { issueKey, commentId: String(comment.id), ...(typeof comment.created === 'string' ? { created: comment.created } : {}) };
    },
  });
}
