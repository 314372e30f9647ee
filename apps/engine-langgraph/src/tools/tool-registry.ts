import type { z } from 'zod';
import { calculatorTool } from './calculator.ts';
import { currentTimeTool } from './current-time.ts';
import { filterListTool } from './filter-list.ts';

/** A tool a graph's tool node can call: arguments validated with zod before `run`. */
export interface GraphTool<A = unknown> {
  name: string;
  description: string;
  args: z.ZodType<A, unknown>;
  run(args: A, options: { signal: AbortSignal }): Promise<unknown>;
}

/**
 * The caller's mistake (bad arguments, an unparsable expression): retrying cannot help, so the
 * node writes it into state as an observation at once. Any other error is retried per the node's
 * retry policy and becomes an observation only when the attempts run out.
 */
export class ToolInputError extends Error {
  override name = 'ToolInputError';
}

/** Built-in tools by name; the platform-wide tool registry (libs/tools) will replace this. */
export class ToolRegistry {
  private readonly tools = new Map<string, GraphTool>();

  constructor(tools: GraphTool[] = [calculatorTool, currentTimeTool, filterListTool] as GraphTool[]) {
    for (const tool of tools) this.tools.set(tool.name, tool);
  }

  get(name: string): GraphTool | undefined {
    return this.tools.get(name);
  }

  names(): string[] {
    return [...this.tools.keys()];
  }

  /** A registry with extra tools (tests register flaky ones). */
  with(...tools: GraphTool[]): ToolRegistry {
    return new ToolRegistry([...this.tools.values(), ...tools]);
  }
}
