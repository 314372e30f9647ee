import { DynamicStructuredTool } from '@langchain/core/tools';
import type { ToolRegistry, ToolCallRecord } from './registry.ts';
import type { ToolContext } from './tool.ts';

/**
 * The registry's tools as LangChain tools, for LangGraph nodes (ToolNode, bindTools). Each call still
 * goes through `registry.call`, so validation, error observations and call records are the same as
 * in crews and group chats.
 */
export function toLangChainTools(registry: ToolRegistry, context: ToolContext, onRecord?: (record: ToolCallRecord) => void): DynamicStructuredTool[] {
  return registry.list().map(
    (tool) =>
      new DynamicStructuredTool({
        name: tool.name,
        description: tool.description,
        // A JSON Schema: LangChain passes the model's arguments through; the registry validates them.
        schema: tool.parameters as Record<string, unknown>,
        func: async (args: unknown) => (await registry.call(tool.name, args, context, onRecord)).observation,
      }),
  );
}
