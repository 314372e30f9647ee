import type express from 'express';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { ApolloServerPlugin } from '@apollo/server';
import { ErrorCode } from '@switchyard/contracts';

/** Codes that mean the request was refused as sent, never that the platform failed. */
const CLIENT_CODES = new Set<string>([
  ErrorCode.UNAUTHENTICATED,
  ErrorCode.FORBIDDEN,
  ErrorCode.NOT_FOUND,
  ErrorCode.BAD_USER_INPUT,
  ErrorCode.CONFLICT,
  ErrorCode.PRECONDITION_FAILED,
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  // @apollo/gateway's code for an operation name that names no operation, or is missing among several.
  'INVALID_GRAPHQL',
]);

type BodyError = Error & { type?: string; status?: number; statusCode?: number; charset?: string; encoding?: string; code?: string };

/** The message a client gets for a body the JSON parser refused: what was wrong, and what to send instead. */
function bodyRefusal(error: BodyError): { status: number; message: string } | null {
  const status = error.status ?? error.statusCode ?? 0;
  switch (error.type) {
    case 'entity.too.large':
      return { status: 413, message: 'The request body is larger than 1 MB; send a smaller request.' };
    case 'entity.parse.failed':
      return { status: 400, message: 'The request body is not valid JSON; send {"query": "...", "variables": {...}} as application/json.' };
    case 'charset.unsupported':
      return { status: 415, message: `The charset "${error.charset ?? ''}" is not supported; send the body as UTF-8 JSON.` };
    case 'encoding.unsupported':
      return { status: 415, message: `The content encoding "${error.encoding ?? ''}" is not supported; send the body uncompressed, or with gzip or deflate.` };
    case 'request.aborted':
      return { status: 400, message: 'The request body ended before its declared length; send it again.' };
  }
  if (status >= 400 && status < 500) {
    // A compressed body that does not decompress (zlib's errors carry no parser type).
    if (error.code?.startsWith('Z_')) return { status: 400, message: 'The request body could not be decompressed; check its Content-Encoding or send it uncompressed.' };
    return { status, message: `The request body could not be read (${error.message}); send a JSON body as application/json.` };
  }
  return null;
}

/**
 * Express error handler for /graphql: every body the parser refuses is answered as a GraphQL error
 * with a code, never with Express's HTML error page (which also printed the stack).
 */
export const refuseUnreadableBodies: express.ErrorRequestHandler = (error: BodyError, _req, res, next) => {
  const refusal = bodyRefusal(error);
  if (!refusal) return next(error);
  res.status(refusal.status).json({ errors: [{ message: refusal.message, extensions: { code: ErrorCode.BAD_USER_INPUT } }] });
};

/**
 * A refusal Apollo raises without a code but with a 4xx status (an unsupported persisted-query
 * version), with BAD_REQUEST; null for every other error. Without it the gateway's formatError
 * reports such refusals as internal errors.
 */
export function refusalWithoutCode(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError | null {
  const original = error instanceof GraphQLError ? error : null;
  const status = (original?.extensions?.http as { status?: number } | undefined)?.status;
  if (!original || original.extensions?.code !== undefined || typeof status !== 'number' || status < 400 || status >= 500) return null;
  return { ...formatted, extensions: { ...formatted.extensions, code: 'BAD_REQUEST' } };
}

/**
 * graphql-armor words its limits (depth, aliases, directives, cost) as "Syntax Error: Query Cost
 * limit of 5000 exceeded, found 3.36e+53." although the operation parses: the prefix goes, and the
 * message says what to do. The code (GRAPHQL_VALIDATION_FAILED) stays.
 */
export function withoutArmorSyntaxPrefix(formatted: GraphQLFormattedError): GraphQLFormattedError {
  const match = /^Syntax Error: ((?:Query Cost|Query depth|Aliases|Directives|Token)s? limit of .*)$/i.exec(formatted.message);
  if (!match) return formatted;
  const advice = /cost/i.test(match[1]!) ? 'ask for fewer items (smaller `first`) or fewer nested fields, or split the operation' : 'simplify the operation or split it into several requests';
  return { ...formatted, message: `${match[1]!.replace(/\.$/, '')}: ${advice}.` };
}

/**
 * Subscriptions run over graphql-ws; over HTTP @apollo/gateway fails them as an internal error.
 * Refused here with the way to subscribe, and a response whose errors are all refusals of the
 * request answers 400, not 500 (Apollo answers 500 for errors raised in its plugins and gateway).
 */
export function requestRefusals<TContext extends object>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation }) {
          if (operation?.operation === 'subscription') {
            throw new GraphQLError('Subscriptions are served over graphql-ws, not HTTP: open a WebSocket to this same /graphql URL with the graphql-transport-ws protocol and send the subscription there.', {
              extensions: { code: ErrorCode.BAD_USER_INPUT, http: { status: 400 } },
            });
          }
        },
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          const errors = response.body.singleResult.errors ?? [];
          if ((response.http.status ?? 200) >= 500 && errors.length > 0 && errors.every((e) => CLIENT_CODES.has(String(e.extensions?.code)))) response.http.status = 400;
        },
      };
    },
  };
}
