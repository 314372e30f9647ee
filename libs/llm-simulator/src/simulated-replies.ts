import { inferJsonObject, valueFromSchema, ValueSource, type JsonSchema } from './schema-values.ts';
import { contentWords, fnv1a, identifierWords, keyPhrase, truncateTokens } from './text-tools.ts';

/** The subset of an OpenAI chat message the simulator reads. */
export interface WireMessage {
  role: string;
  content?: string | Array<{ type: string; text?: string }> | null;
  name?: string;
  tool_calls?: Array<{ id: string; type?: string; function: { name: string; arguments: string } }>;
  tool_call_id?: string;
}

/** A tool offered in a chat request; only function tools are considered. */
export interface WireTool {
  type: string;
  function: { name: string; description?: string; parameters?: JsonSchema };
}

/** The subset of an OpenAI chat completion request the simulator reads. */
export interface WireChatRequest {
  model?: string;
  messages: WireMessage[];
  tools?: WireTool[];
  tool_choice?: 'auto' | 'none' | 'required' | { type: string; function: { name: string } };
  response_format?: { type: 'text' } | { type: 'json_object' } | { type: 'json_schema'; json_schema: { name?: string; schema?: JsonSchema } };
  max_tokens?: number;
  max_completion_tokens?: number;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
}

/** One tool call in a simulated reply; `arguments` is JSON text, as on the wire. */
export interface SimulatedToolCall {
  id: string;
  name: string;
  arguments: string;
}

/** What the simulated model says: text or tool calls, and why it stopped. */
export interface SimulatedReply {
  content: string | null;
  toolCalls: SimulatedToolCall[];
  finishReason: 'stop' | 'tool_calls' | 'length';
}

/** Plain text of a message, whatever shape its content has. */
export function textOf(message: WireMessage | undefined): string {
  const content = message?.content;
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((part) => part.text ?? '').join('\n');
  return '';
}

const SELECT_SPEAKER = /select the next (?:role|speaker|agent)|next speaker|who should (?:speak|go|act) next|(?:choose|pick) the next (?:role|speaker|agent)/i;
const EXIT_CODE = /exit[\s_-]?code\W{0,3}(-?\d+)/i;
const WANTS_CODE = /\b(?:write|generate|create|give me|show me|implement)\b[^.?!\n]*\b(?:code|script|program|function)\b|\bpython\b|\bjavascript\b|\bnode\.?js\b|```/i;
const CODER_SYSTEM = /\b(?:python|javascript|coding|code block)\b/i;
const WANTS_FINAL_ANSWER = /final answer:/i;

/**
 * Decide what a model would plausibly say next, deterministically, in the shape each engine's protocol expects.
 * Precedence: forced tool choice → speaker selection → tool call (tools offered, last message not a tool result)
 * → JSON (response_format) → summary of tool results → conclusion after a successful code run (ends in TERMINATE)
 * → fenced code block when code is asked for → a "[simulated]" final answer echoing the request.
 */
export function simulateReply(request: WireChatRequest): SimulatedReply {
  const messages = request.messages;
  const seed = fnv1a(JSON.stringify([messages, request.tools ?? null, request.response_format ?? null]));
  const last = messages.at(-1);
  const userMessages = messages.filter((m) => m.role === 'user');
  const task = textOf(userMessages.at(-1) ?? last);
  const systemText = messages.filter((m) => m.role === 'system' || m.role === 'developer').map(textOf).join('\n');
  const source = new ValueSource(task, userMessages.map(textOf).reverse().join('\n'));
  const tools = (request.tools ?? []).filter((t) => t.type === 'function' && typeof t.function?.name === 'string');
  const choice = request.tool_choice;
  const limit = request.max_completion_tokens ?? request.max_tokens;
  const finalAnswer = WANTS_FINAL_ANSWER.test(`${systemText}\n${task}`) ? 'Final Answer: ' : '';

  if (tools.length > 0 && (choice === 'required' || typeof choice === 'object')) return toolCallReply(tools, choice, source, seed);
  const speaker = selectSpeaker(messages);
  if (speaker !== undefined) return text(speaker, limit);
  if (tools.length > 0 && choice !== 'none' && last?.role !== 'tool') return toolCallReply(tools, choice, source, seed);

  const format = request.response_format;
  if (format?.type === 'json_schema') return text(JSON.stringify(valueFromSchema(format.json_schema.schema ?? { type: 'object' }, source)));
  if (format?.type === 'json_object') return text(JSON.stringify(inferJsonObject(`${systemText}\n${task}`, source)));

  if (last?.role === 'tool') return text(finalAnswer + summarizeToolResults(messages, task), limit);

  const exit = textOf(last).match(EXIT_CODE);
  if (exit && Number(exit[1]) === 0) return text(conclusion(textOf(last)), limit);
  if (exit || WANTS_CODE.test(task) || CODER_SYSTEM.test(systemText)) return text(codeReply(task, systemText, source, exit !== null), limit);

  return text(finalAnswer + plainAnswer(task, systemText, request.model, seed), limit);
}

function text(content: string, limit?: number): SimulatedReply {
  if (limit !== undefined && limit > 0) {
    const cut = truncateTokens(content, limit);
    if (cut.truncated) return { content: cut.text, toolCalls: [], finishReason: 'length' };
  }
  return { content, toolCalls: [], finishReason: 'stop' };
}

function toolCallReply(tools: WireTool[], choice: WireChatRequest['tool_choice'], source: ValueSource, seed: number): SimulatedReply {
  const forced = typeof choice === 'object' ? tools.find((t) => t.function.name === choice.function.name) : undefined;
  const tool = forced ?? mostRelevantTool(tools, source.primaryText);
  const args = valueFromSchema(tool.function.parameters ?? { type: 'object', properties: {} }, source);
  const id = `call_${fnv1a(tool.function.name, seed).toString(36)}${seed.toString(36)}`;
  return { content: null, toolCalls: [{ id, name: tool.function.name, arguments: JSON.stringify(args) }], finishReason: 'tool_calls' };
}

/** Keyword overlap between the request and each tool's name (counted twice) and description; first tool on a tie. */
function mostRelevantTool(tools: WireTool[], request: string): WireTool {
  const wanted = new Set(contentWords(request));
  let best = tools[0]!;
  let bestScore = 0;
  for (const tool of tools) {
    const nameWords = contentWords(identifierWords(tool.function.name).join(' '));
    const descWords = new Set(contentWords(tool.function.description ?? ''));
    const score = 2 * nameWords.filter((w) => wanted.has(w)).length + [...descWords].filter((w) => wanted.has(w)).length;
    if (score > bestScore) [best, bestScore] = [tool, score];
  }
  return best;
}

/**
 * Speaker selection (AutoGen's "Read the following conversation. Then select the next role from [...]").
 * Candidates come from the first `[...]` list after the instruction, or a "participants: a, b" line. The answer
 * rotates: the candidate after the last one who spoke (message `name`, else the last `Name:` line in the text).
 */
function selectSpeaker(messages: WireMessage[]): string | undefined {
  const prompts = [...messages.filter((m) => m.role === 'system'), messages.at(-1)].map(textOf).filter((t) => SELECT_SPEAKER.test(t));
  const candidates = prompts.map(parseCandidates).find((c) => c.length > 0);
  if (!candidates) return undefined;
  let lastIndex = -1;
  for (let i = messages.length - 1; i >= 0 && lastIndex === -1; i--) lastIndex = candidates.indexOf(messages[i]!.name ?? '');
  if (lastIndex === -1) {
    const transcript = messages.map(textOf).join('\n');
    let lastPosition = -1;
    candidates.forEach((name, index) => {
      const re = new RegExp(`(?:^|\\n)[\\s*#>\\[]*${escapeRegExp(name)}[\\]*]*\\s*(?:\\([^)\\n]*\\))?:`, 'g');
      for (const m of transcript.matchAll(re)) if (m.index > lastPosition) [lastPosition, lastIndex] = [m.index, index];
    });
  }
  if (lastIndex === -1) lastIndex = messages.filter((m) => m.role !== 'system').length - 2;
  return candidates[(((lastIndex + 1) % candidates.length) + candidates.length) % candidates.length];
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function parseCandidates(prompt: string): string[] {
  const afterInstruction = prompt.slice(Math.max(0, prompt.search(SELECT_SPEAKER)));
  const clean = (items: string[]) => [
    ...new Set(items.map((s) => s.trim().replace(/^["'`]+|["'`.]+$/g, '').trim()).filter((s) => /^[\w .@-]{1,64}$/.test(s) && !/^\d+$/.test(s))),
  ];
  for (const scope of [afterInstruction, prompt]) {
    const list = scope.match(/\[([^[\]\n]+)\]/)?.[1];
    if (list) {
      const items = clean(list.split(','));
      if (items.length > 0) return items;
    }
  }
  const line = prompt.match(/\b(?:candidates|participants|roles|speakers|agents|options)\b\s*(?:are|:)\s*([^\n]+)/i)?.[1];
  return line ? clean(line.split(/,|\bor\b|\band\b/)) : [];
}

function summarizeToolResults(messages: WireMessage[], task: string): string {
  const names = new Map<string, string>();
  for (const m of messages) for (const call of m.tool_calls ?? []) names.set(call.id, call.function.name);
  const results: string[] = [];
  for (let i = messages.length - 1; i >= 0 && messages[i]!.role === 'tool'; i--) {
    const m = messages[i]!;
    const body = textOf(m).replace(/\s+/g, ' ').trim();
    results.unshift(`${names.get(m.tool_call_id ?? '') ?? 'tool'} returned ${body.length > 240 ? `${body.slice(0, 240)}…` : body}`);
  }
  return `[simulated] Based on the tool results (${results.join('; ')}), here is the answer to "${keyPhrase(task)}": the request has been handled using that data.`;
}

function codeReply(task: string, systemText: string, source: ValueSource, retry: boolean): string {
  const js = /\b(?:javascript|node\.?js|js|typescript)\b/i;
  const py = /\bpython\b/i;
  const language = js.test(task) ? (py.test(task) ? 'python' : 'javascript') : !py.test(task) && js.test(systemText) && !py.test(systemText) ? 'javascript' : 'python';
  const phrase = JSON.stringify(keyPhrase(task, 12));
  const numbers = source.entities.numbers.slice(0, 6);
  const lines =
    language === 'python'
      ? [`# [simulated] solution for the task`, `task = ${phrase}`, `print("[simulated] " + task)`, ...(numbers.length ? [`numbers = [${numbers.join(', ')}]`, `print("sum:", sum(numbers))`] : [])]
      : [`// [simulated] solution for the task`, `const task = ${phrase};`, `console.log("[simulated] " + task);`, ...(numbers.length ? [`const numbers = [${numbers.join(', ')}];`, `console.log("sum:", numbers.reduce((a, b) => a + b, 0));`] : [])];
  const intro = retry ? '[simulated] The previous run failed; here is a corrected version:' : '[simulated] Here is code for the task. Run it and share the output:';
  return `${intro}\n\n\`\`\`${language}\n${lines.join('\n')}\n\`\`\``;
}

function conclusion(executionReport: string): string {
  const output = executionReport.match(/(?:code output|output|stdout)\s*:\s*([^\n]*\S[^\n]*)/i)?.[1]?.trim() ?? executionReport.replace(EXIT_CODE, '').trim().split('\n')[0] ?? '';
  return `[simulated] The code ran successfully (exit code 0)${output ? ` and printed: ${output.slice(0, 200)}` : ''}. The task is complete.\n\nTERMINATE`;
}

function plainAnswer(task: string, systemText: string, model: string | undefined, seed: number): string {
  const role = systemText.match(/\byou are (?:an? |the )?([^.,;\n]{2,40})/i)?.[1]?.trim();
  const counts = new Map<string, number>();
  for (const w of contentWords(task, false)) if (w.length > 2) counts.set(w, (counts.get(w) ?? 0) + 1);
  const keywords = [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([w]) => w);
  const openers = ['Here is a simulated answer to', 'Simulated response to', 'This is a simulated reply to'];
  return [
    `[simulated] ${role ? `As ${role}: ` : ''}${openers[seed % openers.length]} "${keyPhrase(task) || 'your request'}".`,
    keywords.length ? `Key points considered: ${keywords.join(', ')}.` : '',
    `No real model was called; the Switchyard LLM simulator${model ? ` (model "${model}")` : ''} produced this text deterministically from the request.`,
  ]
    .filter(Boolean)
    .join(' ');
}
