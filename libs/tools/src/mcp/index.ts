export * from './mcp-server-config.ts';
export * from './mcp-tool-name.ts';
export * from './mcp-result-text.ts';
export { JsonSchemaArguments, MAX_SCHEMA_BYTES, MAX_SCHEMA_DEPTH } from './json-schema-arguments.ts';
export { McpConnectError, MAX_TOOL_PAGES, MAX_TOOLS_PER_SERVER } from './mcp-connection.ts';
export * from './mcp-client-pool.ts';
export { mcpEgressFetch, McpEgressRefusedError, type McpEgressFetch, type McpEgressOptions } from './mcp-egress.ts';
