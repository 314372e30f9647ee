import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OutboundHttpClient } from '../http/outbound-http-client.ts';
import { sendJson, startLoopbackServer, toolContext, toolFailure, type LoopbackServer } from '../http/testing/loopback-server.ts';
import { ToolRegistry } from '../registry.ts';
import { salesforceCreateRecordTool, salesforceQueryTool } from './salesforce.ts';

const ACCESS_TOKEN = '00D5g000004ABCD!AQ0AQHsalesforceSessionToken';
const ACCOUNTS = ['Acme', 'Globex', 'Initech', 'Umbrella', 'Hooli'].map((name, i) => ({
  attributes: { type: 'Account', url: `/services/data/v62.0/sobjects/Account/001${i}` },
  Id: `001${i}`,
  Name: name,
  Owner: { attributes: { type: 'User', url: '/services/data/v62.0/sobjects/User/005' }, Name: 'Dana' },
}));
const PAGE = 2;
const ACCOUNT_FIELDS = new Set(['Name', 'Industry', 'AnnualRevenue']);

// Salesforce REST as documented: Bearer session token; query pages of records with nextRecordsUrl
// until done; errors as a JSON array of {message, errorCode, fields?}.
let salesforce: LoopbackServer;
beforeAll(async () => {
  salesforce = await startLoopbackServer((req, res) => {
    const fail = (status: number, errorCode: string, message: string, fields?: string[]) => sendJson(res, status, [{ message, errorCode, ...(fields ? { fields } : {}) }]);
    if (req.headers.authorization !== `Bearer ${ACCESS_TOKEN}`) return fail(401, 'INVALID_SESSION_ID', 'Session expired or invalid');
    if (req.headers.accept !== 'application/json') return fail(406, 'NOT_ACCEPTABLE', 'Only JSON is served');
    const url = new URL(req.path, 'http://x');
    const page = (offset: number) => {
      const records = ACCOUNTS.slice(offset, offset + PAGE);
      const done = offset + PAGE >= ACCOUNTS.length;
      sendJson(res, 200, { totalSize: ACCOUNTS.length, done, records, ...(done ? {} : { nextRecordsUrl: `/services/data/v62.0/query/01gRO0000016PIAYA2-${offset + PAGE}` }) });
    };
    if (req.method === 'GET' && url.pathname === '/services/data/v62.0/query') {
      const soql = url.searchParams.get('q') ?? '';
      if (!/^SELECT\s/i.test(soql)) return fail(400, 'MALFORMED_QUERY', `unexpected token: '${soql.split(/\s/)[0]}'`);
      if (/FROM Limit__c/.test(soql)) return fail(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.');
      if (/FROM Escape/.test(soql)) return sendJson(res, 200, { totalSize: 4, done: false, records: ACCOUNTS.slice(0, 2), nextRecordsUrl: 'http://169.254.169.254/latest/meta-data/' });
      if (!/FROM Account\b/.test(soql)) return fail(400, 'INVALID_TYPE', `sObject type '${/FROM (\w+)/.exec(soql)?.[1]}' is not supported.`);
      return page(0);
    }
    const next = /^\/services\/data\/v62\.0\/query\/01gRO0000016PIAYA2-(\d+)$/.exec(url.pathname);
    if (req.method === 'GET' && next) return page(Number(next[1]));
    const sobject = /^\/services\/data\/v62\.0\/sobjects\/(\w+)\/$/.exec(url.pathname);
    if (req.method === 'POST' && sobject) {
      if (req.headers['content-type'] !== 'application/json') return fail(415, 'UNSUPPORTED_MEDIA_TYPE', 'Content type must be application/json');
      const fields = JSON.parse(req.body) as Record<string, unknown>;
      if (sobject[1] === 'Echo') return fail(400, 'INVALID_FIELD', `headers were ${JSON.stringify(req.headers)}`);
      if (sobject[1] !== 'Account') return fail(404, 'NOT_FOUND', 'The requested resource does not exist');
      const unknown = Object.keys(fields).find((field) => !ACCOUNT_FIELDS.has(field));
      if (unknown) return fail(400, 'INVALID_FIELD', `No such column '${unknown}' on sobject of type Account`);
      if (typeof fields.Name !== 'string') return fail(400, 'REQUIRED_FIELD_MISSING', 'Required fields are missing: [Name]', ['Name']);
      return sendJson(res, 201, { id: '001D000000IqhSLIAZ', success: true, errors: [] });
    }
    return fail(404, 'NOT_FOUND', 'The requested resource does not exist');
  });
});
afterAll(() => salesforce.close());
beforeEach(() => {
  salesforce.requests.length = 0;
});

const client = new OutboundHttpClient({ privateHostExemptions: ['127.0.0.1'] });
const query = salesforceQueryTool(client);
const create = salesforceCreateRecordTool(client);
const registry = new ToolRegistry([query, create]);
const context = (secrets: Record<string, string> = { 'salesforce.instance_url': salesforce.url('/'), 'salesforce.access_token': ACCESS_TOKEN }) => toolContext({ secrets });

describe('salesforce_query', () => {
  it('runs SOQL with the bearer token and follows nextRecordsUrl to the end', async () => {
    const outcome = await registry.call('salesforce_query', { soql: 'SELECT Id, Name, Owner.Name FROM Account' }, context());
    expect(outcome.result).toEqual({
      totalSize: 5,
      returned: 5,
      records: ACCOUNTS.map(({ Id, Name }) => ({ Id, Name, Owner: { Name: 'Dana' } })),
    });
    expect(salesforce.requests.map((r) => r.path)).toEqual([
      `/services/data/v62.0/query?q=${encodeURIComponent('SELECT Id, Name, Owner.Name FROM Account').replace(/%20/g, '+')}`,
      '/services/data/v62.0/query/01gRO0000016PIAYA2-2',
      '/services/data/v62.0/query/01gRO0000016PIAYA2-4',
    ]);
    expect(salesforce.requests.every((r) => r.method === 'GET' && r.headers.authorization === `Bearer ${ACCESS_TOKEN}`)).toBe(true);
  });

  it('stops at maxRecords and says how many more there are', async () => {
    const outcome = await registry.call('salesforce_query', { soql: 'SELECT Id, Name FROM Account', maxRecords: 3 }, context());
    expect(outcome.result).toMatchObject({ totalSize: 5, returned: 3, note: expect.stringContaining('only the first 3 of 5 records are shown') });
    expect(salesforce.requests).toHaveLength(2);
  });

  it('refuses a next page that points outside the instance', async () => {
    const error = await toolFailure(query, { soql: 'SELECT Id FROM Escape' }, context());
    expect([error.code, error.message]).toEqual(['UNEXPECTED_RESPONSE', 'Salesforce pointed the next page of records outside the instance; stopped']);
    expect(salesforce.requests).toHaveLength(1);
  });

  it('maps a malformed query, an unknown object and the request limit', async () => {
    const malformed = await registry.call('salesforce_query', { soql: 'SELEKT Id FROM Account' }, context());
    expect(malformed.observation).toBe("Error: salesforce_query: Salesforce refused the query (MALFORMED_QUERY: unexpected token: 'SELEKT')");
    const unknown = await toolFailure(query, { soql: 'SELECT Id FROM Widget__c' }, context());
    expect([unknown.code, unknown.message]).toEqual(['BAD_REQUEST', "Salesforce refused the query (INVALID_TYPE: sObject type 'Widget__c' is not supported.)"]);
    const limited = await toolFailure(query, { soql: 'SELECT Id FROM Limit__c' }, context());
    expect([limited.code, limited.retryable, limited.status]).toEqual(['RATE_LIMITED', true, 403]);
  });

  it('maps an expired session to a message for the admin, without the token', async () => {
    const outcome = await registry.call('salesforce_query', { soql: 'SELECT Id FROM Account' }, context({ 'salesforce.instance_url': salesforce.url('/'), 'salesforce.access_token': 'expired-session-token' }));
    expect(outcome.observation).toBe('Error: salesforce_query: Salesforce did not accept the access token (INVALID_SESSION_ID: Session expired or invalid); an admin should renew the integration secret salesforce.access_token');
    expect(JSON.stringify(outcome)).not.toContain('expired-session-token');
  });

  it('says which secret to set', async () => {
    const noInstance = await registry.call('salesforce_query', { soql: 'SELECT Id FROM Account' }, context({ 'salesforce.access_token': ACCESS_TOKEN }));
    expect(noInstance.observation).toBe('Error: salesforce_query: set the integration secret salesforce.instance_url; an admin can add it in the integration settings');
    const noToken = await registry.call('salesforce_query', { soql: 'SELECT Id FROM Account' }, context({ 'salesforce.instance_url': salesforce.url('/') }));
    expect(noToken.observation).toContain('set the integration secret salesforce.access_token');
    expect(salesforce.requests).toHaveLength(0);
  });

  it('uses the API version from the tenant settings', async () => {
    const outcome = await registry.call('salesforce_query', { soql: 'SELECT Id FROM Account' }, toolContext({ secrets: { 'salesforce.instance_url': salesforce.url('/'), 'salesforce.access_token': ACCESS_TOKEN }, config: { salesforce: { apiVersion: 'v59.0' } } }));
    expect(salesforce.requests[0]!.path).toMatch(/^\/services\/data\/v59\.0\/query\?/);
    expect(outcome.observation).toContain('NOT_FOUND: The requested resource does not exist');
  });
});

describe('salesforce_create_record', () => {
  it('posts the fields to the sObject endpoint and returns the new id', async () => {
    const outcome = await registry.call('salesforce_create_record', { sObject: 'Account', fields: { Name: 'Acme', Industry: 'Banking' } }, context());
    expect(outcome.result).toEqual({ id: '001D000000IqhSLIAZ', sObject: 'Account' });
    expect(salesforce.requests[0]).toMatchObject({ method: 'POST', path: '/services/data/v62.0/sobjects/Account/' });
    expect(JSON.parse(salesforce.requests[0]!.body)).toEqual({ Name: 'Acme', Industry: 'Banking' });
  });

  it('maps missing and unknown fields, and an unknown object type', async () => {
    const missing = await registry.call('salesforce_create_record', { sObject: 'Account', fields: { Industry: 'Banking' } }, context());
    expect(missing.observation).toBe('Error: salesforce_create_record: Salesforce refused the Account record (REQUIRED_FIELD_MISSING: Required fields are missing: [Name] (fields: Name))');
    const unknownField = await toolFailure(create, { sObject: 'Account', fields: { Name: 'x', Colour: 'red' } }, context());
    expect(unknownField.message).toContain("INVALID_FIELD: No such column 'Colour' on sobject of type Account");
    const unknownType = await toolFailure(create, { sObject: 'Gadget__c', fields: { Name: 'x' } }, context());
    expect([unknownType.code, unknownType.message]).toEqual(['NOT_FOUND', 'Salesforce has no object type Gadget__c; check the sObject API name (NOT_FOUND: The requested resource does not exist)']);
  });

  it('refuses names that are not API names before calling Salesforce', async () => {
    const outcome = await registry.call('salesforce_create_record', { sObject: '../query', fields: {} }, context());
    expect(outcome.observation).toContain('sObject: must be an sObject API name');
    expect(outcome.observation).toContain('fields: give at least one field');
    expect(salesforce.requests).toHaveLength(0);
  });

  it('never shows the access token, even when the server echoes the request headers', async () => {
    const outcome = await registry.call('salesforce_create_record', { sObject: 'Echo', fields: { Name: 'x' } }, context());
    expect(outcome.ok).toBe(false);
    expect(outcome.observation).toContain('"authorization":"Bearer [redacted]"');
    expect(JSON.stringify(outcome)).not.toContain(ACCESS_TOKEN);
  });
});
