import type { CodeExecutor } from '@switchyard/code-sandbox';
import type { Tool } from './tool.ts';
import { outboundTools, type OutboundToolsOptions } from './connectors/outbound-tools.ts';
import { calculatorTool, currentTimeTool, knowledgeSearchTool, runCodeTool, wordCountTool, type KnowledgeSearcher } from './builtins/index.ts';

/** What the platform's tools need from the service that runs them. */
export interface PlatformToolDependencies {
  codeExecutor: CodeExecutor;
  knowledge: KnowledgeSearcher;
  /** The outbound HTTP rules of http_request and the connectors (the operator's private-host exemptions). */
  outbound?: OutboundToolsOptions;
}

/** Every tool the platform offers a tenant before its own MCP servers: the built-ins and the connectors. */
export function platformTools(deps: PlatformToolDependencies): Tool[] {
  return [calculatorTool, currentTimeTool, wordCountTool, runCodeTool(deps.codeExecutor), knowledgeSearchTool(deps.knowledge), ...outboundTools(deps.outbound)];
}

/**
 * The platform tools' names, descriptions and argument schemas, for listing them (the tenants service
 * shows them with their enablement). These instances cannot run: their dependencies refuse.
 */
export function platformToolCatalogue(): Tool[] {
  const refuse = () => Promise.reject(new Error('this is the tool catalogue; tools run in the engines'));
  return platformTools({
    codeExecutor: { languages: ['javascript', 'python'], execute: refuse },
    knowledge: refuse,
  });
}
