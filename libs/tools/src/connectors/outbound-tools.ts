import { httpRequestTool } from '../http/http-request-tool.ts';
import { OutboundHttpClient, type OutboundHttpOptions } from '../http/outbound-http-client.ts';
import type { Tool } from '../tool.ts';
import { jiraAddCommentTool, jiraCreateIssueTool } from './jira.ts';
import { salesforceCreateRecordTool, salesforceQueryTool } from './salesforce.ts';
import { slackPostMessageTool } from './slack.ts';

export interface OutboundToolsOptions extends OutboundHttpOptions {
  /** One client for every tool; built from the other options when absent. */
  client?: OutboundHttpClient;
  /** Salesforce REST API version, e.g. "v62.0". */
  salesforceApiVersion?: string;
}

/**
 * Every tool that reaches outside the platform: http_request and the Slack, Jira and Salesforce
 * connectors, all sending through one OutboundHttpClient (allowlist, public addresses only, pinned
 * connections, bounded time and size). A service passes `privateHostExemptions` from
 * SWITCHYARD_TOOLS_PRIVATE_HOSTS (see `parseHostList`).
 */
export function outboundTools(options: OutboundToolsOptions = {}): Tool[] {
  const client = options.client ?? new OutboundHttpClient(options);
  const salesforce = options.salesforceApiVersion ? { apiVersion: options.salesforceApiVersion } : {};
  return [
    httpRequestTool(client),
    slackPostMessageTool(client),
    jiraCreateIssueTool(client),
    jiraAddCommentTool(client),
    salesforceQueryTool(client, salesforce),
    salesforceCreateRecordTool(client, salesforce),
  ];
}
