import { z } from 'zod';
import { allowedHostsOf } from '../http/http-request-tool.ts';
import type { OutboundHttpClient, OutboundMethod, OutboundResponse } from '../http/outbound-http-client.ts';
import type { Tool, ToolContext } from '../tool.ts';
import { connectorConfig, ConnectorError, defineConnectorTool, parseServiceUrl, responseJson, retryAfterNote, tryJson, type CallSecrets } from './connector-support.ts';

export const DEFAULT_SALESFORCE_API_VERSION = 'v62.0';
const API_VERSION = /^v\d{2,3}\.\d$/;
const SalesforceConfig = z.object({ apiVersion: z.string().regex(API_VERSION, 'must look like "v62.0"').optional() });
const MAX_PAGES = 20;

export interface SalesforceOptions {
  /** REST API version, e.g. "v62.0"; a tenant's tool setting salesforce.apiVersion overrides it. */
  apiVersion?: string;
}

interface SalesforceSession {
  instance: URL;
  apiVersion: string;
  authorization: string;
}

async function salesforceSession(context: ToolContext, secrets: CallSecrets, options: SalesforceOptions): Promise<SalesforceSession> {
  const instance = parseServiceUrl(await secrets.require('salesforce.instance_url'), 'the integration secret salesforce.instance_url', 'https://your-company.my.salesforce.com');
  const token = await secrets.credential('salesforce.access_token');
  const apiVersion = connectorConfig(context.config, 'salesforce', SalesforceConfig)?.apiVersion ?? options.apiVersion ?? DEFAULT_SALESFORCE_API_VERSION;
  return { instance, apiVersion, authorization: `Bearer ${token}` };
}

/** Salesforce's error body is a list of {message, errorCode, fields?}. */
function salesforceDetail(response: OutboundResponse): { codes: string[]; text: string } {
  const body = tryJson(response);
  const items = Array.isArray(body) ? body : body && typeof body === 'object' ? [body] : [];
  const codes: string[] = [];
  const parts: string[] = [];
  for (const item of items as Array<{ message?: unknown; errorCode?: unknown; fields?: unknown }>) {
    const code = typeof item.errorCode === 'string' ? item.errorCode : undefined;
    if (code) codes.push(code);
    const fields = Array.isArray(item.fields) && item.fields.length > 0 ? ` (fields: ${item.fields.join(', ')})` : '';
    parts.push(`${code ?? 'ERROR'}: ${typeof item.message === 'string' ? item.message : 'no message'}${fields}`);
  }
  return { codes, text: parts.join('; ').slice(0, 1000) };
}

function salesforceError(response: OutboundResponse, action: string, notFound: string): ConnectorError {
  const status = response.status;
  const { codes, text } = salesforceDetail(response);
  const detail = text ? ` (${text})` : ` (${status})`;
  if (status === 401 || codes.includes('INVALID_SESSION_ID')) {
    return new ConnectorError('UNAUTHENTICATED', `Salesforce did not accept the access token${detail}; an admin should renew the integration secret salesforce.access_token`, { status });
  }
  if (codes.includes('REQUEST_LIMIT_EXCEEDED') || status === 429) {
    return new ConnectorError('RATE_LIMITED', `Salesforce's API request limit is used up${detail}.${retryAfterNote(response)}`, { status, retryable: true });
  }
  if (status === 400) return new ConnectorError('BAD_REQUEST', `Salesforce refused ${action}${detail}`, { status });
  if (status === 403) return new ConnectorError('FORBIDDEN', `the Salesforce user may not do this${detail}`, { status });
  if (status === 404) return new ConnectorError('NOT_FOUND', `${notFound}${detail}`, { status });
  if (status >= 500) return new ConnectorError('UPSTREAM_ERROR', `Salesforce failed${detail}; try again later`, { status, retryable: true });
  return new ConnectorError('UPSTREAM_ERROR', `Salesforce answered ${status}${detail}`, { status });
}

async function salesforceCall(client: OutboundHttpClient, context: ToolContext, session: SalesforceSession, method: OutboundMethod, url: URL, body?: unknown): Promise<OutboundResponse> {
  return client.send({
    method,
    url: url.toString(),
    headers: { authorization: session.authorization, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
    allowedHosts: allowedHostsOf(context.config),
    hostFromTenantConfig: true,
    carriesCredentials: true,
    signal: context.signal,
    maxResponseBytes: 8 * 1024 * 1024,
  });
}

/** Records without Salesforce's `attributes` blocks (type and URL of every row), which only cost the model context. */
function withoutAttributes(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutAttributes);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([key]) => key !== 'attributes').map(([key, item]) => [key, withoutAttributes(item)]));
  }
  return value;
}

interface QueryPage {
  totalSize: number;
  done: boolean;
  nextRecordsUrl?: string;
  records: unknown[];
}

/** salesforce_query: a SOQL query, following nextRecordsUrl until `maxRecords` rows or the end. */
export function salesforceQueryTool(client: OutboundHttpClient, options: SalesforceOptions = {}): Tool {
  return defineConnectorTool({
    name: 'salesforce_query',
    description:
      "Run a read-only SOQL query against this organisation's Salesforce, e.g. \"SELECT Id, Name, Industry FROM Account WHERE Industry = 'Banking' LIMIT 20\". Returns the matching records (without Salesforce's attributes blocks) and the total count.",
    args: z.object({
      soql: z.string().min(1).max(20_000).describe('A SOQL SELECT statement'),
      maxRecords: z.number().int().min(1).max(2000).default(200).describe('Stop after this many records'),
    }),
    execute: async ({ soql, maxRecords }, context, secrets) => {
      const session = await salesforceSession(context, secrets, options);
      let url = new URL(`/services/data/${session.apiVersion}/query`, session.instance);
      url.searchParams.set('q', soql);
      const records: unknown[] = [];
      let totalSize = 0;
      let complete = false;
      for (let page = 0; page < MAX_PAGES && records.length < maxRecords; page++) {
        const response = await salesforceCall(client, context, session, 'GET', url);
        if (response.status !== 200) {
          throw salesforceError(response, 'the query', 'Salesforce answered 404 to the query; an admin should check salesforce.instance_url and the API version');
        }
        const body = responseJson(response, 'Salesforce') as Partial<QueryPage> | undefined;
        if (!body || !Array.isArray(body.records)) throw new ConnectorError('UNEXPECTED_RESPONSE', 'Salesforce answered the query without records', { status: response.status });
        totalSize = typeof body.totalSize === 'number' ? body.totalSize : totalSize;
        records.push(...body.records);
        if (body.done !== false || typeof body.nextRecordsUrl !== 'string') {
          complete = true;
          break;
        }
        const next = new URL(body.nextRecordsUrl, session.instance);
        // The next page must come from the same instance and the query endpoint, nowhere else.
        if (next.origin !== session.instance.origin || !next.pathname.startsWith('/services/data/')) {
          throw new ConnectorError('UNEXPECTED_RESPONSE', 'Salesforce pointed the next page of records outside the instance; stopped', { status: response.status });
        }
        url = next;
      }
      const returned = records.slice(0, maxRecords);
      return {
        totalSize,
        returned: returned.length,
        records: withoutAttributes(returned),
        ...(complete && returned.length === records.length ? {} : { note: `only the first ${returned.length} of ${totalSize} records are shown; narrow the query (WHERE, LIMIT) or raise maxRecords (at most 2000)` }),
      };
    },
  });
}

/** salesforce_create_record: a new record of an sObject type (Account, Contact, Case, a custom My_Object__c). */
export function salesforceCreateRecordTool(client: OutboundHttpClient, options: SalesforceOptions = {}): Tool {
  return defineConnectorTool({
    name: 'salesforce_create_record',
    description:
      "Create a record in this organisation's Salesforce: the sObject type (e.g. Account, Contact, Case, or a custom My_Object__c) and its field values by API name (e.g. {\"Name\": \"Acme\", \"Industry\": \"Banking\"}). Returns the new record's id.",
    args: z.object({
      sObject: z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,79}$/, 'must be an sObject API name such as "Account" or "My_Object__c"'),
      fields: z
        .record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,79}$/, 'field names are API names such as "Name" or "Score__c"'), z.unknown())
        .refine((fields) => Object.keys(fields).length > 0, 'give at least one field'),
    }),
    execute: async ({ sObject, fields }, context, secrets) => {
      const session = await salesforceSession(context, secrets, options);
      const url = new URL(`/services/data/${session.apiVersion}/sobjects/${sObject}/`, session.instance);
      const response = await salesforceCall(client, context, session, 'POST', url, fields);
      if (response.status !== 201 && response.status !== 200) {
        throw salesforceError(response, `the ${sObject} record`, `Salesforce has no object type ${sObject}; check the sObject API name`);
      }
      const created = responseJson(response, 'Salesforce') as { id?: unknown; success?: unknown } | undefined;
      if (typeof created?.id !== 'string' || created.success === false) throw new ConnectorError('UNEXPECTED_RESPONSE', 'Salesforce answered without the new record\'s id', { status: response.status });
      return { id: created.id, sObject };
    },
  });
}
