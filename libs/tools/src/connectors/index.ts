export { CallSecrets, ConnectorError, defineConnectorTool, type ConnectorErrorCode, type ConnectorToolDefinition } from './connector-support.ts';
export { textToAdf, type AdfNode } from './jira-document.ts';
export { jiraAddCommentTool, jiraCreateIssueTool } from './jira.ts';
export { DEFAULT_SALESFORCE_API_VERSION, salesforceCreateRecordTool, salesforceQueryTool, type SalesforceOptions } from './salesforce.ts';
export { slackPostMessageTool } from './slack.ts';
export { outboundTools, type OutboundToolsOptions } from './outbound-tools.ts';
