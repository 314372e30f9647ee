import type { TeamSpec } from './team-definition.ts';

/**
 * The built-in teams, addressable as definition {"template": "<name>"}. Each mirrors a common
 * AutoGen AgentChat setup.
 */
export const TEMPLATES = {
  /** A coder and a code executor (AutoGen's AssistantAgent + CodeExecutorAgent in a round robin). */
  'code-assistant': {
    type: 'round_robin',
    participants: [
      {
        type: 'assistant',
        name: 'coder',
        description: 'Writes Python or JavaScript code that solves the task and fixes it when it fails.',
        systemMessage:
          'You are a helpful AI assistant that solves tasks by writing code. Write one complete Python (or JavaScript, when asked) script in a single fenced code block, ' +
          'for example ```python ... ```; it will be run for you and you will see its exit code, stdout and stderr. If it fails, fix it and send the whole corrected script. ' +
          'When the output shows the task is done, summarize the result and end your message with TERMINATE.',
        tools: [],
        handoffs: [],
        reflectOnToolUse: false,
        maxToolIterations: 1,
      },
      { type: 'code_executor', name: 'executor', description: 'Runs the code blocks it receives in a sandbox and reports the result.', sources: ['coder'] },
    ],
    termination: { or: [{ textMention: 'TERMINATE' }, { maxMessages: 12 }] },
    maxTurns: 12,
  },
  /** Two debaters and a judge; a model picks the next speaker (AutoGen's SelectorGroupChat). */
  debate: {
    type: 'selector',
    participants: [
      {
        type: 'assistant',
        name: 'proponent',
        description: 'Argues for the motion.',
        systemMessage: 'You are the proponent in a debate. Argue for the motion with concrete reasons and answer the opponent’s points. Keep it to one short paragraph.',
        tools: [],
        handoffs: [],
        reflectOnToolUse: false,
        maxToolIterations: 1,
      },
      {
        type: 'assistant',
        name: 'opponent',
        description: 'Argues against the motion.',
        systemMessage: 'You are the opponent in a debate. Argue against the motion with concrete reasons and answer the proponent’s points. Keep it to one short paragraph.',
        tools: [],
        handoffs: [],
        reflectOnToolUse: false,
        maxToolIterations: 1,
      },
      {
        type: 'assistant',
        name: 'judge',
        description: 'Weighs both sides once each has spoken and gives the verdict.',
        systemMessage: 'You are the judge of a debate. Weigh the arguments of both sides, name the stronger side and explain why in a short verdict.',
        tools: [],
        handoffs: [],
        reflectOnToolUse: false,
        maxToolIterations: 1,
      },
    ],
    selector: {
      allowRepeatedSpeaker: false,
      maxSelectorAttempts: 3,
      // The proponent opens; the judge may only speak once the opponent has answered.
      candidates: { initial: ['proponent'], after: { proponent: ['opponent'], opponent: ['proponent', 'judge'], judge: ['proponent', 'opponent'] } },
    },
    termination: { or: [{ sourceMatch: ['judge'] }, { maxMessages: 10 }] },
    maxTurns: 9,
  },
  /** An assistant answering and a person asking follow-up questions (AssistantAgent + UserProxyAgent). */
  'research-chat': {
    type: 'round_robin',
    participants: [
      {
        type: 'assistant',
        name: 'assistant',
        description: 'Researches and answers the questions.',
        systemMessage: 'You are a research assistant. Answer the question thoroughly and cite what your answer rests on. Then invite follow-up questions.',
        tools: ['word_count'],
        handoffs: [],
        reflectOnToolUse: true,
        maxToolIterations: 1,
      },
      { type: 'user_proxy', name: 'person', description: 'The person asking; answers with follow-up questions, or APPROVE when satisfied.' },
    ],
    termination: { or: [{ textMention: { text: 'APPROVE', sources: ['person'] } }, { maxMessages: 20 }] },
    maxTurns: 20,
  },
} satisfies Record<string, TeamSpec>;

export type TemplateName = keyof typeof TEMPLATES;
export const TEMPLATE_NAMES = Object.keys(TEMPLATES) as TemplateName[];

const CODE_WORDS = /\b(?:code|script|program|function|python|javascript|node\.?js|compute|calculate|algorithm|implement|debug)\b/i;
const DEBATE_WORDS = /\b(?:debate|argue|arguments?|pros and cons|for and against|motion|versus|vs\.?)\b/i;
const RESEARCH_WORDS = /\b(?:research|explain|question|questions|learn|investigate|find out|tell me about|follow[- ]up)\b/i;

/** The template that fits a request when no definition is given: code when code is mentioned, else by keywords. */
export function pickTemplate(input: string): TemplateName {
  if (CODE_WORDS.test(input)) return 'code-assistant';
  if (DEBATE_WORDS.test(input)) return 'debate';
  if (RESEARCH_WORDS.test(input)) return 'research-chat';
  return 'code-assistant';
}
