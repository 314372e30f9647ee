import { z } from 'zod';
import type { ToolSpec } from '@switchyard/llm';
import { evaluateArithmetic } from './arithmetic.ts';

/**
 * A tool an agent can use: its arguments are a zod schema, published to the model as JSON Schema for
 * function calling (or listed in the ReAct prompt) and checked before `execute` runs.
 */
export interface CrewTool<Args extends z.ZodType = z.ZodType> {
  name: string;
  description: string;
  args: Args;
  execute(args: z.infer<Args>, context: { signal: AbortSignal }): Promise<string> | string;
}

/** What running a tool produced: the observation the agent sees, and whether it was an error. */
export interface ToolOutcome {
  observation: string;
  error: boolean;
}

/**
 * The engine's built-in tools behind one small interface, until the platform's tool library lands.
 * Errors (unknown tool, bad arguments, a failing tool) come back as observation strings for the
 * agent to read, never as exceptions that would stop the crew.
 */
export class ToolRegistry {
  private readonly tools = new Map<string, CrewTool>();

  constructor(tools: CrewTool[]) {
    for (const tool of tools) this.tools.set(tool.name, tool);
  }

  names(): string[] {
    return [...this.tools.keys()];
  }

  has(name: string): boolean {
    return this.tools.has(name);
  }

  spec(name: string): ToolSpec {
    const tool = this.require(name);
    const { $schema: _ignored, ...parameters } = z.toJSONSchema(tool.args, { io: 'input' }) as Record<string, unknown>;
    return { name: tool.name, description: tool.description, parameters };
  }

  /** `rawArguments` is the model's JSON text (or an already parsed object from a ReAct reply). */
  async run(name: string, rawArguments: string | unknown, signal: AbortSignal): Promise<ToolOutcome> {
    const tool = this.tools.get(name);
    if (!tool) return { error: true, observation: `Error: the tool "${name}" does not exist. Use one of: ${this.names().join(', ')}.` };
    let input: unknown = rawArguments;
    if (typeof rawArguments === 'string') {
      try {
        input = rawArguments.trim() === '' ? {} : JSON.parse(rawArguments);
      } catch {
        return { error: true, observation: `Error: the arguments for ${name} are not valid JSON: ${rawArguments.slice(0, 200)}` };
      }
    }
    const parsed = tool.args.safeParse(input);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'arguments'}: ${issue.message}`).join('; ');
      return { error: true, observation: `Error: invalid arguments for ${name}: ${problems}. Expected: ${JSON.stringify(this.spec(name).parameters)}` };
    }
    try {
      return { error: false, observation: await tool.execute(parsed.data, { signal }) };
    } catch (error) {
      if (signal.aborted) throw error;
      return { error: true, observation: `Error: ${name} failed: ${error instanceof Error ? error.message : String(error)}` };
    }
  }

  private require(name: string): CrewTool {
    const tool = this.tools.get(name);
    if (!tool) throw new Error(`unknown tool "${name}"`);
    return tool;
  }
}

const calculator: CrewTool<z.ZodObject<{ expression: z.ZodString }>> = {
  name: 'calculator',
  description: 'Evaluate an arithmetic expression exactly, e.g. "(1200 - 950) / 950 * 100". Supports + - * / % ^, parentheses, pi, e, sqrt, abs, round, floor, ceil, ln, log10, exp, min, max.',
  args: z.object({ expression: z.string().min(1).max(500).describe('The arithmetic expression to evaluate') }),
  execute: ({ expression }) => String(evaluateArithmetic(expression)),
};

const currentTime: CrewTool<z.ZodObject<{ timezone: z.ZodDefault<z.ZodString> }>> = {
  name: 'current_time',
  description: 'The current date and time, in ISO 8601 and in words, for an IANA time zone such as "Europe/Berlin".',
  args: z.object({ timezone: z.string().default('UTC').describe('IANA time zone name') }),
  execute: ({ timezone }) => {
    const now = new Date();
    let words: string;
    try {
      words = new Intl.DateTimeFormat('en-US', { dateStyle: 'full', timeStyle: 'long', timeZone: timezone }).format(now);
    } catch {
      throw new Error(`unknown time zone "${timezone}"; use an IANA name such as "UTC" or "America/New_York"`);
    }
    return `${now.toISOString()} (${words})`;
  },
};

/** The registry every crew gets: calculator and current_time. */
export function builtInTools(): ToolRegistry {
  return new ToolRegistry([calculator, currentTime]);
}
