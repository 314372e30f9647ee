import { pino, type DestinationStream, type Logger } from 'pino';
import { activeTraceIds } from './tracing.ts';

export type { Logger };

/**
 * What is never written to a log line: credentials, and what tenants send to models or tools
 * (prompts, messages, tool arguments, workflow input), which are their data, not operations'.
 * Paths are pino's (fast-redact): a key at the top of a line's object, or one level down.
 */
export const REDACTED_PATHS = [
  'authorization',
  'headers.authorization',
  'headers["x-switchyard-context"]',
  'headers.cookie',
  ...['secret', 'apiKey', 'password', 'token', 'accessToken', 'webhookSecret', 'connectionString', 'masterKey'].flatMap((key) => [key, `*.${key}`]),
  ...['prompt', 'messages', 'arguments', 'toolArguments', 'input', 'content', 'userInput'].flatMap((key) => [key, `*.${key}`]),
];

/**
 * Structured JSON logs (pino), one line per event, with the service name on every line and the
 * active span's trace_id and span_id while tracing is on.
 */
export function createLogger(service: string, level: string = process.env.LOG_LEVEL ?? 'info', destination?: DestinationStream): Logger {
  const options = {
    name: service,
    level,
    base: { service },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    mixin: () => activeTraceIds() ?? {},
  };
  return destination ? pino(options, destination) : pino(options);
}
