import { z } from 'zod';
import type { EngineEvent } from '@switchyard/contracts';
import type { ExecutorTool } from './agent-executor.ts';
import type { AgentDefinition } from './crew-definition.ts';
import { CrewFailure } from './crew-failure.ts';

export const DELEGATE_WORK = 'delegate_work_to_coworker';
export const ASK_QUESTION = 'ask_question_to_coworker';

/** One delegation made during a task; kept in the task's transcript checkpoint. */
export interface DelegationRecord {
  tool: typeof DELEGATE_WORK | typeof ASK_QUESTION;
  coworker: string;
  request: string;
}

export interface DelegationSetup {
  from: AgentDefinition;
  coworkers: AgentDefinition[];
  task: string;
  maxDelegations: number;
  /** Delegations already made in this task (restored from a checkpoint). */
  records: DelegationRecord[];
  runCoworker(coworker: AgentDefinition, request: string, context: string, kind: 'work' | 'question', signal: AbortSignal): Promise<string>;
  emit(event: EngineEvent): void;
}

/**
 * CrewAI's "Delegate work to coworker" and "Ask question to coworker" as function-calling tools whose
 * coworker argument is an enum of the allowed roles. They also guard against what CrewAI users hit:
 * more than maxDelegations in one task, or the same delegation made twice, fails the crew with a
 * message naming the task instead of letting the manager spin.
 */
export function delegationTools(setup: DelegationSetup): ExecutorTool[] {
  const roles = setup.coworkers.map((c) => c.role);
  const list = roles.join(', ');
  const coworker = z.enum(roles as [string, ...string[]]).describe('The role of the coworker, exactly as listed');
  const schemas = {
    [DELEGATE_WORK]: z.object({
      task: z.string().min(1).describe('The task to delegate, explained completely'),
      context: z.string().describe('Everything the coworker needs to know; they know nothing about the task'),
      coworker,
    }),
    [ASK_QUESTION]: z.object({
      question: z.string().min(1).describe('The question to ask'),
      context: z.string().describe('Everything the coworker needs to answer; they know nothing about the question'),
      coworker,
    }),
  };
  const descriptions = {
    [DELEGATE_WORK]: `Delegate a specific task to one of the following coworkers: ${list}\nThe input to this tool should be the coworker, the task you want them to do, and ALL necessary context to execute the task, they know nothing about the task, so share absolute everything you know, don't reference things but instead explain them.`,
    [ASK_QUESTION]: `Ask a specific question to one of the following coworkers: ${list}\nThe input to this tool should be the coworker, the question you have for them, and ALL necessary context to ask the question properly, they know nothing about the question, so share absolute everything you know, don't reference things but instead explain them.`,
  };

  const make = (name: typeof DELEGATE_WORK | typeof ASK_QUESTION): ExecutorTool => {
    const schema = schemas[name];
    const { $schema: _ignored, ...parameters } = z.toJSONSchema(schema) as Record<string, unknown>;
    return {
      spec: { name, description: descriptions[name], parameters },
      checksOwnRepeats: true,
      async run(rawArguments, signal) {
        let input: unknown = rawArguments;
        if (typeof rawArguments === 'string') {
          try {
            input = JSON.parse(rawArguments);
          } catch {
            return { error: true, observation: `Error: the arguments for ${name} are not valid JSON.` };
          }
        }
        // Models often vary the case of a role; match it before validating.
        if (typeof input === 'object' && input !== null && typeof (input as { coworker?: unknown }).coworker === 'string') {
          const given = ((input as { coworker: string }).coworker).trim().toLowerCase();
          const match = roles.find((r) => r.toLowerCase() === given);
          if (match) input = { ...input, coworker: match };
        }
        const parsed = schema.safeParse(input);
        if (!parsed.success) {
          const badCoworker = parsed.error.issues.some((i) => i.path[0] === 'coworker');
          return {
            error: true,
            observation: badCoworker
              ? `Error executing tool. coworker mentioned not found, it must be one of the following options:\n${roles.map((r) => `- ${r}`).join('\n')}`
              : `Error: invalid arguments for ${name}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
          };
        }
        const args = parsed.data as { task?: string; question?: string; context: string; coworker: string };
        const request = (args.task ?? args.question ?? '').trim();
        const key = normalize(request);
        const repeated = setup.records.find((r) => r.tool === name && r.coworker === args.coworker && normalize(r.request) === key);
        if (repeated) {
          throw new CrewFailure(
            'DELEGATION_LOOP',
            `Task "${setup.task}": ${setup.from.role} repeated the same ${name === DELEGATE_WORK ? 'delegation' : 'question'} to ${args.coworker} ("${excerpt(request)}"); stopped instead of looping.`,
          );
        }
        if (setup.records.length >= setup.maxDelegations) {
          throw new CrewFailure(
            'DELEGATION_LIMIT',
            `Task "${setup.task}": ${setup.from.role} tried a delegation beyond maxDelegations (${setup.maxDelegations}) without giving a final answer; stopped instead of looping.`,
          );
        }
        setup.records.push({ tool: name, coworker: args.coworker, request });
        setup.emit({
          type: 'DELEGATION',
          step: setup.task,
          agent: setup.from.role,
          message: `${setup.from.role} → ${args.coworker}: ${excerpt(request)}`,
          data: { from: setup.from.role, to: args.coworker, task: setup.task, ...(name === ASK_QUESTION ? { question: request } : { work: request }) },
        });
        const target = setup.coworkers.find((c) => c.role === args.coworker)!;
        const answer = await setup.runCoworker(target, request, args.context, name === DELEGATE_WORK ? 'work' : 'question', signal);
        return { error: false, observation: answer };
      },
    };
  };
  return [make(DELEGATE_WORK), make(ASK_QUESTION)];
}

const normalize = (text: string) => text.toLowerCase().replace(/\s+/g, ' ').trim();
const excerpt = (text: string) => (text.length > 120 ? `${text.slice(0, 120)}…` : text);
