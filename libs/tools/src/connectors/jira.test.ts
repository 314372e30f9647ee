import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OutboundHttpClient } from '../http/outbound-http-client.ts';
import { sendJson, startLoopbackServer, toolContext, toolFailure, type LoopbackServer, type ReceivedRequest } from '../http/testing/loopback-server.ts';
import { ToolRegistry } from '../registry.ts';
import { textToAdf, type AdfNode } from './jira-document.ts';
import { jiraAddCommentTool, jiraCreateIssueTool } from './jira.ts';

const EMAIL = 'bot@acme.example';
const API_TOKEN = 'ATATT3xFfGF0jiraApiTokenValue';
const OTHER_TENANT_TOKEN = 'ATATT3xFfGF0otherTenantToken';

/** Whether a value is a document Jira v3 accepts: doc → paragraphs → non-empty text and hard breaks. */
function isAdfDocument(value: unknown): boolean {
  const doc = value as AdfNode;
  if (doc?.type !== 'doc' || doc.version !== 1 || !Array.isArray(doc.content)) return false;
  return doc.content.every(
    (paragraph) =>
      paragraph.type === 'paragraph' &&
      Array.isArray(paragraph.content) &&
      paragraph.content.every((node) => (node.type === 'text' && typeof node.text === 'string' && node.text.length > 0) || (node.type === 'hardBreak' && node.text === undefined)),
  );
}

// Jira Cloud REST v3 as documented: Basic auth (email:API token), JSON in and out, 201 on creation,
// {errorMessages, errors} on failure.
let jira: LoopbackServer;
const issues = new Map<string, { fields: Record<string, unknown>; comments: unknown[] }>();
let echoHeadersOnError = false;
beforeAll(async () => {
  const validAuth = `Basic ${Buffer.from(`${EMAIL}:${API_TOKEN}`).toString('base64')}`;
  jira = await startLoopbackServer((req: ReceivedRequest, res) => {
    const fail = (status: number, errorMessages: string[], errors: Record<string, string> = {}) =>
      sendJson(res, status, { errorMessages: echoHeadersOnError ? [...errorMessages, `request headers: ${JSON.stringify(req.headers)}`] : errorMessages, errors });
    if (req.headers.authorization !== validAuth) return res.writeHead(401, { 'content-type': 'text/plain' }).end('Client must be authenticated to access this resource.');
    if (req.headers['content-type'] !== 'application/json' || req.headers.accept !== 'application/json') return fail(415, ['Unsupported media type']);
    const body = JSON.parse(req.body) as Record<string, any>; // any: the fake inspects whatever shape the client sent
    const base = jira.url('').replace(/\/$/, '');
    if (req.method === 'POST' && (req.path === '/rest/api/3/issue' || req.path === '/jira/rest/api/3/issue')) {
      const fields = body.fields ?? {};
      const errors: Record<string, string> = {};
      if (fields.project?.key === 'SECRET') return fail(403, ['You do not have permission to create issues in this project.']);
      if (fields.project?.key !== 'ENG') errors.project = 'valid project is required';
      if (!['Task', 'Bug', 'Story'].includes(fields.issuetype?.name)) errors.issuetype = 'Specify a valid issue type';
      if (typeof fields.summary !== 'string' || fields.summary === '') errors.summary = 'You must specify a summary of the issue.';
      if (fields.description !== undefined && !isAdfDocument(fields.description)) errors.description = 'Operation value must be an Atlassian Document (see the Atlassian Document Format)';
      if (Object.keys(errors).length > 0) return fail(400, [], errors);
      const id = String(10000 + issues.size + 1);
      const key = `ENG-${issues.size + 1}`;
      issues.set(key, { fields, comments: [] });
      return sendJson(res, 201, { id, key, self: `${base}/rest/api/3/issue/${id}` });
    }
    const comment = /^\/rest\/api\/3\/issue\/([^/]+)\/comment$/.exec(req.path);
    if (req.method === 'POST' && comment) {
      const issue = issues.get(decodeURIComponent(comment[1]!));
      if (!issue) return fail(404, ['Issue does not exist or you do not have permission to see it.']);
      if (!isAdfDocument(body.body)) return fail(400, [], { comment: 'Comment body is not valid!' });
      issue.comments.push(body.body);
      const id = String(20000 + issue.comments.length);
      return sendJson(res, 201, { id, self: `${base}/rest/api/3/issue/${comment[1]}/comment/${id}`, body: body.body, created: '2026-01-02T10:00:00.000+0000' });
    }
    return fail(404, ['Not found']);
  });
});
afterAll(() => jira.close());
beforeEach(() => {
  jira.requests.length = 0;
  echoHeadersOnError = false;
});

const client = new OutboundHttpClient({ privateHostExemptions: ['127.0.0.1'] });
const createIssue = jiraCreateIssueTool(client);
const addComment = jiraAddCommentTool(client);
const registry = new ToolRegistry([createIssue, addComment]);
const secrets = { 'jira.email': EMAIL, 'jira.api_token': API_TOKEN };
const context = (extra: { secrets?: Record<string, string>; baseUrl?: string | null } = {}) =>
  toolContext({ secrets: extra.secrets ?? secrets, config: extra.baseUrl === null ? {} : { jira: { baseUrl: extra.baseUrl ?? jira.url('/') } } });

describe('textToAdf', () => {
  it('turns blank-line paragraphs and line breaks into ADF', () => {
    expect(textToAdf('First line\nsecond line\n\n\nNext paragraph')).toEqual({
      type: 'doc',
      version: 1,
      content: [
        { type: 'paragraph', content: [{ type: 'text', text: 'First line' }, { type: 'hardBreak' }, { type: 'text', text: 'second line' }] },
        { type: 'paragraph', content: [{ type: 'text', text: 'Next paragraph' }] },
      ],
    });
  });
});

describe('jira_create_issue', () => {
  it('creates an issue with Basic auth and an ADF description, and links to it', async () => {
    const outcome = await registry.call(
      'jira_create_issue',
      { projectKey: 'ENG', summary: 'Claim 12345 needs review', issueType: 'Bug', description: 'Amount over limit.\n\nSee attached policy.', labels: ['claims'] },
      context(),
    );
    expect(outcome.ok).toBe(true);
    const result = outcome.result as { key: string; id: string; url: string };
    expect(result.key).toMatch(/^ENG-\d+$/);
    expect(result.url).toBe(`${jira.url('').replace(/\/$/, '')}/browse/${result.key}`);
    const sent = JSON.parse(jira.requests[0]!.body) as { fields: Record<string, unknown> };
    expect(sent.fields).toEqual({
      project: { key: 'ENG' },
      summary: 'Claim 12345 needs review',
      issuetype: { name: 'Bug' },
      labels: ['claims'],
      description: textToAdf('Amount over limit.\n\nSee attached policy.'),
    });
    expect(jira.requests[0]!.headers.authorization).toBe(`Basic ${Buffer.from(`${EMAIL}:${API_TOKEN}`).toString('base64')}`);
  });

  it('reads the site from the secret jira.base_url and keeps a context path', async () => {
    const outcome = await registry.call('jira_create_issue', { projectKey: 'ENG', summary: 'On premises' }, context({ baseUrl: null, secrets: { ...secrets, 'jira.base_url': jira.url('/jira/') } }));
    expect(outcome.ok).toBe(true);
    expect(jira.requests[0]!.path).toBe('/jira/rest/api/3/issue');
    expect((outcome.result as { url: string }).url).toMatch(/\/jira\/browse\/ENG-\d+$/);
  });

  it("maps Jira's field errors so the model can fix them", async () => {
    const outcome = await registry.call('jira_create_issue', { projectKey: 'OPS', summary: 'x', issueType: 'Incident' }, context());
    expect(outcome.observation).toBe('Error: jira_create_issue: Jira refused to create the issue in OPS: project: valid project is required; issuetype: Specify a valid issue type');
    expect((await toolFailure(createIssue, { projectKey: 'OPS', summary: 'x' }, context())).code).toBe('BAD_REQUEST');
  });

  it('maps 401, 403 and a wrong site address (404)', async () => {
    const unauthenticated = await toolFailure(createIssue, { projectKey: 'ENG', summary: 'x' }, context({ secrets: { ...secrets, 'jira.api_token': 'wrong-token' } }));
    expect([unauthenticated.code, unauthenticated.status]).toEqual(['UNAUTHENTICATED', 401]);
    expect(unauthenticated.message).toBe('Jira did not accept the credentials (401); an admin should check the integration secrets jira.email and jira.api_token (an Atlassian API token)');
    const forbidden = await toolFailure(createIssue, { projectKey: 'SECRET', summary: 'x' }, context());
    expect(forbidden.message).toBe('the Jira account may not create the issue in SECRET (403): You do not have permission to create issues in this project.');
    const wrongSite = await toolFailure(createIssue, { projectKey: 'ENG', summary: 'x' }, context({ baseUrl: jira.url('/wiki') }));
    expect([wrongSite.code, wrongSite.message]).toEqual(['NOT_FOUND', 'Jira answered 404 to creating an issue; an admin should check the Jira site address (jira.baseUrl) (404): Not found']);
  });

  it('says which secret or setting is missing before calling Jira', async () => {
    const noSite = await registry.call('jira_create_issue', { projectKey: 'ENG', summary: 'x' }, context({ baseUrl: null }));
    expect(noSite.observation).toContain('set the Jira site address: the tool setting jira.baseUrl or the integration secret jira.base_url');
    const noToken = await registry.call('jira_create_issue', { projectKey: 'ENG', summary: 'x' }, context({ secrets: { 'jira.email': EMAIL } }));
    expect(noToken.observation).toBe('Error: jira_create_issue: set the integration secret jira.api_token; an admin can add it in the integration settings');
    const badSetting = await registry.call('jira_create_issue', { projectKey: 'ENG', summary: 'x' }, toolContext({ secrets, config: { jira: { baseUrl: 42 } } }));
    expect(badSetting.observation).toContain('the tool setting jira is invalid (jira.baseUrl:');
    expect(jira.requests).toHaveLength(0);
  });

  it('refuses arguments Jira would refuse, before calling it', async () => {
    const outcome = await registry.call('jira_create_issue', { projectKey: 'eng', summary: 'two\nlines' }, context());
    expect(outcome.observation).toContain('projectKey: must be a Jira project key in capitals');
    expect(outcome.observation).toContain('summary: must be one line');
    expect(jira.requests).toHaveLength(0);
  });
});

describe('jira_add_comment', () => {
  it('comments on an issue with an ADF body', async () => {
    const created = await registry.call('jira_create_issue', { projectKey: 'ENG', summary: 'To comment on' }, context());
    const key = (created.result as { key: string }).key;
    const outcome = await registry.call('jira_add_comment', { issueKey: key, body: 'Reviewed.\nApproved by the claims team.' }, context());
    expect(outcome.result).toEqual({ issueKey: key, commentId: '20001', created: '2026-01-02T10:00:00.000+0000' });
    expect(jira.requests[1]!.path).toBe(`/rest/api/3/issue/${key}/comment`);
    expect(JSON.parse(jira.requests[1]!.body)).toEqual({ body: textToAdf('Reviewed.\nApproved by the claims team.') });
    expect(issues.get(key)!.comments).toHaveLength(1);
  });

  it('maps an unknown issue to a message naming it', async () => {
    const outcome = await registry.call('jira_add_comment', { issueKey: 'ENG-999', body: 'hello' }, context());
    expect(outcome.observation).toBe('Error: jira_add_comment: Jira has no issue ENG-999, or the account cannot see it; check the key (404): Issue does not exist or you do not have permission to see it.');
  });

  it("uses each tenant's own credentials", async () => {
    const key = ((await registry.call('jira_create_issue', { projectKey: 'ENG', summary: 'Shared name' }, context())).result as { key: string }).key;
    jira.requests.length = 0;
    const tenantA = await registry.call('jira_add_comment', { issueKey: key, body: 'from A' }, context());
    const tenantB = await registry.call('jira_add_comment', { issueKey: key, body: 'from B' }, toolContext({ tenantId: 'tenant-b', secrets: { ...secrets, 'jira.api_token': OTHER_TENANT_TOKEN }, config: { jira: { baseUrl: jira.url('/') } } }));
    expect(tenantA.ok).toBe(true);
    expect(tenantB.observation).toContain('Jira did not accept the credentials (401)');
    expect(jira.requests.map((r) => Buffer.from(String(r.headers.authorization).slice(6), 'base64').toString())).toEqual([`${EMAIL}:${API_TOKEN}`, `${EMAIL}:${OTHER_TENANT_TOKEN}`]);
  });
});

describe('Jira credentials', () => {
  it('never appear in an observation, even when the server echoes the request headers', async () => {
    echoHeadersOnError = true;
    const outcomes = [
      await registry.call('jira_create_issue', { projectKey: 'OPS', summary: 'x' }, context()),
      await registry.call('jira_add_comment', { issueKey: 'ENG-999', body: 'x' }, context()),
      await registry.call('jira_create_issue', { projectKey: 'ENG', summary: 'x' }, context({ secrets: { ...secrets, 'jira.api_token': 'wrong-token-value' } })),
    ];
    const encoded = Buffer.from(`${EMAIL}:${API_TOKEN}`).toString('base64');
    for (const outcome of outcomes) {
      const text = JSON.stringify(outcome);
      expect(outcome.ok).toBe(false);
      for (const secret of [API_TOKEN, encoded, 'wrong-token-value', EMAIL]) expect(text).not.toContain(secret);
    }
    expect(outcomes[0]!.observation).toContain('"authorization":"Basic [redacted]"');
  });
});
