import type { ChatMessage, ChatRequest, ToolSpec } from '@switchyard/llm';
import { WorkflowEventType, type EngineEvent } from '@switchyard/contracts';
import type { AgentDefinition } from './crew-definition.ts';
import { CrewFailure } from './crew-failure.ts';
import type { CrewModel } from './crew-model.ts';
import type { ToolOutcome } from '../tools/tool-registry.ts';

/** A tool as an agent sees it: a function-calling spec and a way to run it. */
export interface ExecutorTool {
  spec: ToolSpec;
  run(rawArguments: string | unknown, signal: AbortSignal): Promise<ToolOutcome>;
  /** Delegation tools police repeats themselves (and fail the crew); plain tools get CrewAI's gentle reminder. */
  checksOwnRepeats?: boolean;
}

/** One agent working on one task, possibly continuing a transcript saved by an earlier process. */
export interface AgentRun {
  agent: AgentDefinition;
  /** Task name, for events and usage. */
  task: string;
  /** The whole transcript so far: system prompt, task prompt, and any earlier rounds. */
  messages: ChatMessage[];
  iterations?: number;
  tools: ExecutorTool[];
  /** Inspect a final answer before accepting it; a returned string is sent back to the agent instead. */
  reviewFinalAnswer?: (answer: string) => string | undefined;
  /** Called after every round that used a tool or was sent back, so the transcript can be checkpointed. */
  onRound?: (progress: { messages: ChatMessage[]; iterations: number }) => Promise<void>;
}

export interface AgentRunResult {
  output: string;
  messages: ChatMessage[];
  iterations: number;
  /** The agent reached maxIter and was made to answer. */
  forced: boolean;
}

// Wording follows CrewAI's prompts (translations/en.json), so agents behave as CrewAI users expect.
export const FORCE_FINAL_ANSWER =
  "Now it's time you MUST give your absolute best final answer. You'll ignore all previous instructions, stop using any tools, and just return your absolute BEST Final answer.";
const REPEATED_USAGE = "I tried reusing the same input, I must stop using this action input. I'll try something else instead.";
const EMPTY_REPLY = 'Your reply was empty. Give your best complete final answer to the task now.';

/** The agent's system prompt: role playing from role, backstory and goal, plus the ReAct protocol when tools are used through text. */
export function agentSystemPrompt(agent: AgentDefinition, tools: ExecutorTool[]): string {
  const rolePlaying = `You are ${agent.role}. ${agent.backstory}\nYour personal goal is: ${agent.goal}`;
  if (agent.toolCalling === 'react') {
    if (tools.length === 0) {
      return `${rolePlaying}\nTo give my best complete final answer to the task respond using the exact following format:\n\nThought: I now can give a great answer\nFinal Answer: Your final answer must be the great and the most complete as possible, it must be outcome described.\n\nI MUST use these formats, my job depends on it!`;
    }
    const list = tools.map((t) => `Tool Name: ${t.spec.name}\nTool Arguments: ${JSON.stringify(t.spec.parameters)}\nTool Description: ${t.spec.description}`).join('\n\n');
    const names = tools.map((t) => t.spec.name).join(', ');
    return `${rolePlaying}\nYou ONLY have access to the following tools, and should NEVER make up tools that are not listed here:\n\n${list}\n\nIMPORTANT: Use the following format in your response:\n\n\`\`\`\nThought: you should always think about what to do\nAction: the action to take, only one name of [${names}], just the name, exactly as it's written.\nAction Input: the input to the action, just a simple JSON object, enclosed in curly braces, using " to wrap keys and values.\nObservation: the result of the action\n\`\`\`\n\nOnce all necessary information is gathered, return the following format:\n\n\`\`\`\nThought: I now know the final answer\nFinal Answer: the final answer to the original input question\n\`\`\``;
  }
  return tools.length > 0
    ? `${rolePlaying}\nUse the tools available to you when they help. When you have what you need, reply with your complete final answer as plain text.`
    : rolePlaying;
}

/**
 * CrewAI's agent loop on libs/llm: think, use a tool (native function calling, or the ReAct text
 * protocol for models without it), observe, repeat; after maxIter rounds the agent is made to give
 * its final answer. maxExecutionTime bounds the whole task for the agent.
 */
export class AgentExecutor {
  constructor(
    private readonly model: CrewModel,
    private readonly emit: (event: EngineEvent) => void,
  ) {}

  async execute(run: AgentRun, outerSignal: AbortSignal): Promise<AgentRunResult> {
    const { agent } = run;
    const timeout = agent.maxExecutionTime !== undefined ? AbortSignal.timeout(agent.maxExecutionTime * 1000) : undefined;
    const signal = timeout ? AbortSignal.any([outerSignal, timeout]) : outerSignal;
    try {
      return await this.loop(run, signal);
    } catch (error) {
      if (timeout?.aborted && !outerSignal.aborted) {
        throw new CrewFailure('AGENT_TIMEOUT', `Agent "${agent.role}" exceeded its maxExecutionTime of ${agent.maxExecutionTime} s on task "${run.task}".`);
      }
      throw error;
    }
  }

  private async loop(run: AgentRun, signal: AbortSignal): Promise<AgentRunResult> {
    const { agent, tools } = run;
    const messages = [...run.messages];
    let iterations = run.iterations ?? 0;
    let lastToolUse: string | undefined;
    const native = agent.toolCalling === 'native';
    const caller = { agent: agent.role, task: run.task, ...(agent.maxRpm !== undefined ? { maxRpm: agent.maxRpm } : {}) };
    const round = async () => run.onRound?.({ messages: [...messages], iterations });

    for (;;) {
      const forced = iterations >= agent.maxIter;
      if (forced) messages.push({ role: 'user', content: FORCE_FINAL_ANSWER });
      const request: ChatRequest = {
        ...(agent.model !== undefined ? { model: agent.model } : {}),
        ...(agent.temperature !== undefined ? { temperature: agent.temperature } : {}),
        messages,
        ...(native && tools.length > 0 ? { tools: tools.map((t) => t.spec), toolChoice: forced ? ('none' as const) : ('auto' as const) } : {}),
      };
      const reply = await this.model.chat(request, caller, signal);
      iterations += 1;
      const content = reply.content ?? '';

      if (native && !forced && reply.toolCalls.length > 0) {
        messages.push({ role: 'assistant', content: reply.content, toolCalls: reply.toolCalls });
        if (content.trim()) this.say(run, content, 'thought', iterations);
        for (const call of reply.toolCalls) {
          const observation = await this.useTool(run, call.name, call.arguments, signal, lastToolUse);
          lastToolUse = `${call.name}:${call.arguments}`;
          messages.push({ role: 'tool', toolCallId: call.id, content: observation });
        }
        await round();
        continue;
      }

      if (!native && !forced && tools.length > 0) {
        const action = parseReactAction(content);
        if (action) {
          messages.push({ role: 'assistant', content: action.text });
          if (action.thought) this.say(run, action.thought, 'thought', iterations);
          let input: unknown;
          try {
            input = action.input.trim() === '' ? {} : JSON.parse(action.input);
          } catch {
            input = undefined;
          }
          const observation =
            input === undefined
              ? 'Error: the Action Input is not a valid key, value dictionary.'
              : await this.useTool(run, action.tool, input, signal, lastToolUse);
          lastToolUse = `${action.tool}:${JSON.stringify(input)}`;
          messages.push({ role: 'user', content: `Observation: ${observation}` });
          await round();
          continue;
        }
        if (!FINAL_ANSWER.test(content)) {
          messages.push({ role: 'assistant', content }, { role: 'user', content: formatReminder(tools) });
          await round();
          continue;
        }
      }

      const answer = finalAnswerOf(content);
      if (!answer && !forced) {
        messages.push({ role: 'assistant', content }, { role: 'user', content: EMPTY_REPLY });
        await round();
        continue;
      }
      messages.push({ role: 'assistant', content });
      const sendBack = forced ? undefined : run.reviewFinalAnswer?.(answer);
      if (sendBack !== undefined) {
        messages.push({ role: 'user', content: sendBack });
        await round();
        continue;
      }
      this.say(run, answer, forced ? 'forced_final_answer' : 'final_answer', iterations);
      return { output: answer, messages, iterations, forced };
    }
  }

  private async useTool(run: AgentRun, name: string, rawArguments: string | unknown, signal: AbortSignal, lastToolUse: string | undefined): Promise<string> {
    const tool = run.tools.find((t) => t.spec.name === name);
    const started = Date.now();
    const key = `${name}:${typeof rawArguments === 'string' ? rawArguments : JSON.stringify(rawArguments)}`;
    let outcome: ToolOutcome;
    if (!tool) {
      outcome = { error: true, observation: `You tried to use the tool ${name}, but it doesn't exist. You must use one of the following tools, use one at time: ${run.tools.map((t) => t.spec.name).join(', ')}.` };
    } else if (!tool.checksOwnRepeats && key === lastToolUse) {
      outcome = { error: true, observation: REPEATED_USAGE };
    } else {
      outcome = await tool.run(rawArguments, signal);
    }
    this.emit({
      type: WorkflowEventType.TOOL_CALL,
      step: run.task,
      agent: run.agent.role,
      message: `${name}${outcome.error ? ' (error)' : ''}`,
      data: outcome.record ? { ...outcome.record } : {
            tool: name,
            arguments: typeof rawArguments === 'string' ? safeJson(rawArguments) : rawArguments,
            ok: !outcome.error,
            ...(outcome.error ? { error: outcome.observation } : {}),
            resultBytes: Buffer.byteLength(outcome.observation, 'utf8'),
            durationMs: Date.now() - started,
          },
    });
    return outcome.observation;
  }

  private say(run: AgentRun, text: string, kind: 'thought' | 'final_answer' | 'forced_final_answer', iteration: number): void {
    this.emit({
      type: WorkflowEventType.AGENT_MESSAGE,
      step: run.task,
      agent: run.agent.role,
      message: text.length > 4000 ? `${text.slice(0, 4000)}…` : text,
      data: { kind, iteration },
    });
  }
}

const FINAL_ANSWER = /Final Answer\s*:/i;

/** The text after "Final Answer:" when the model used the ReAct format, else the whole reply. */
export function finalAnswerOf(content: string): string {
  const match = /Final Answer\s*:\s*([\s\S]*)$/i.exec(content);
  return (match ? match[1]! : content).replace(/\s*```\s*$/, '').trim();
}

/** A ReAct "Action: / Action Input:" step, cut before any Observation the model made up. */
export function parseReactAction(content: string): { tool: string; input: string; thought: string; text: string } | undefined {
  const match = /Action\s*:\s*(.+?)\s*\n\s*Action Input\s*:\s*([\s\S]*?)(?=\n\s*Observation\s*:|$)/i.exec(content);
  if (!match) return undefined;
  const finalAt = content.search(FINAL_ANSWER);
  if (finalAt !== -1 && finalAt < match.index) return undefined;
  const input = match[2]!.trim().replace(/^```(?:json)?\s*|\s*```$/g, '');
  const braced = /\{[\s\S]*\}/.exec(input)?.[0] ?? input;
  return {
    tool: match[1]!.trim().replace(/^["'`]|["'`]$/g, ''),
    input: braced,
    thought: content.slice(0, match.index).replace(/^\s*Thought\s*:\s*/i, '').trim(),
    text: content.slice(0, match.index + match[0].length).trim(),
  };
}

function formatReminder(tools: ExecutorTool[]): string {
  return `Sorry, I didn't use the right format. I MUST either use a tool (among the available ones), OR give my best final answer.\nUse either\n\nThought: ...\nAction: one of [${tools.map((t) => t.spec.name).join(', ')}]\nAction Input: {"key": "value"}\n\nor\n\nThought: I now can give a great answer\nFinal Answer: my best complete final answer to the task.`;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text.slice(0, 2000);
  }
}
