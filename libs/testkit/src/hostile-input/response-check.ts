import { ErrorCode } from '@switchyard/contracts';
import type { WsCase, WsOutcome } from './ws-cases.ts';

/**
 * The codes a refusal may carry: the platform's vocabulary without the two that mean "the
 * platform failed" (INTERNAL_SERVER_ERROR, UNAVAILABLE), and Apollo's own for requests it refuses
 * before any resolver runs.
 */
export const REFUSAL_CODES: ReadonlySet<string> = new Set([
  ...Object.values(ErrorCode).filter((code) => code !== ErrorCode.INTERNAL_SERVER_ERROR && code !== ErrorCode.UNAVAILABLE),
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  // @apollo/gateway's code for an operationName that names no operation of the document.
  'INVALID_GRAPHQL',
]);

export interface GraphQLAnswer {
  data?: unknown;
  errors?: Array<{ message?: unknown; extensions?: { code?: unknown } }>;
}

/** What another tenant holds, which no answer to this tenant may contain. */
export interface ForeignData {
  marker: string;
  ids: readonly string[];
}

/** Problems with one HTTP answer: a 5xx, a body that is no GraphQL response, an error without a refusal code, another tenant's data. */
export function checkHttpAnswer(status: number, text: string, requestText: string, foreign: ForeignData): { problems: string[]; codes: string[]; messages: Array<[string, string]> } {
  const problems: string[] = [];
  const codes: string[] = [];
  const messages: Array<[string, string]> = [];
  if (status >= 500) problems.push(`HTTP ${status}`);
  let answer: GraphQLAnswer;
  try {
    answer = JSON.parse(text) as GraphQLAnswer;
  } catch {
    problems.push(`HTTP ${status} with a body that is not JSON: ${JSON.stringify(text.slice(0, 160))}`);
    return { problems, codes, messages };
  }
  if (answer === null || typeof answer !== 'object' || (!('data' in answer) && !Array.isArray(answer.errors))) {
    problems.push(`HTTP ${status} with JSON that is no GraphQL response: ${text.slice(0, 160)}`);
    return { problems, codes, messages };
  }
  for (const error of answer.errors ?? []) {
    const code = error.extensions?.code;
    if (typeof error.message !== 'string' || error.message.length === 0) problems.push('an error without a message');
    if (typeof code !== 'string') {
      problems.push(`an error without extensions.code: ${JSON.stringify(error.message).slice(0, 200)}`);
      continue;
    }
    codes.push(code);
    messages.push([code, String(error.message)]);
    if (!REFUSAL_CODES.has(code)) problems.push(`${code}: ${String(error.message).slice(0, 200)}`);
  }
  if (status >= 400 && (answer.errors ?? []).length === 0) problems.push(`HTTP ${status} without errors`);
  problems.push(...leaks(answer.data, requestText, foreign));
  return { problems, codes, messages };
}

function leaks(data: unknown, requestText: string, foreign: ForeignData): string[] {
  if (data === undefined || data === null) return [];
  const text = JSON.stringify(data);
  const found: string[] = [];
  if (text.includes(foreign.marker)) found.push(`another tenant's data in the answer (marker ${foreign.marker})`);
  for (const id of foreign.ids) if (text.includes(id) && !requestText.includes(id)) found.push(`another tenant's id ${id} in the answer`);
  return found;
}

/** Close codes a graphql-ws server answers hostile frames with (RFC 6455 and graphql-ws's 44xx). */
const REFUSAL_CLOSE_CODES = new Set([1000, 1002, 1003, 1007, 1008, 1009, 4400, 4401, 4403, 4406, 4408, 4409, 4429]);

/** Problems with one graphql-ws conversation: an internal-error close, a dropped connection, error payloads without a refusal code, another tenant's events. */
export function checkWsOutcome(testCase: WsCase, outcome: WsOutcome, foreign: ForeignData): { problems: string[]; codes: string[]; messages: Array<[string, string]> } {
  const problems: string[] = [];
  const codes: string[] = [];
  const messages: Array<[string, string]> = [];
  if (outcome.refused !== undefined && outcome.refused >= 500) problems.push(`handshake answered HTTP ${outcome.refused}`);
  // A subprotocol the server does not speak: it accepts without one, and the ws client aborts (1006) by itself.
  const abortedByClient = outcome.closeCode === 1006 && /no subprotocol|invalid subprotocol/i.test(outcome.clientError ?? '');
  if (outcome.closeCode !== null && !abortedByClient && !REFUSAL_CLOSE_CODES.has(outcome.closeCode)) problems.push(`closed with ${outcome.closeCode} ${outcome.closeReason.slice(0, 160)}`);
  for (const message of outcome.messages) {
    if (message.type === 'unparseable') problems.push(`a frame that is not JSON: ${String(message.payload)}`);
    const errors = message.type === 'error' ? (message.payload as GraphQLAnswer['errors']) : message.type === 'next' ? (message.payload as GraphQLAnswer | undefined)?.errors : undefined;
    for (const error of Array.isArray(errors) ? errors : []) {
      const code = error.extensions?.code;
      if (typeof code !== 'string') {
        problems.push(`a ${message.type} without extensions.code: ${JSON.stringify(error.message).slice(0, 200)}`);
        continue;
      }
      codes.push(code);
      messages.push([code, String(error.message)]);
      if (!REFUSAL_CODES.has(code)) problems.push(`${code}: ${String(error.message).slice(0, 200)}`);
    }
    if (message.type === 'next') problems.push(...leaks((message.payload as GraphQLAnswer | undefined)?.data, testCase.frames.map(String).join('\n'), foreign));
  }
  return { problems, codes, messages };
}
