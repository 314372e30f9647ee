import { pino, type DestinationStream, type Logger } from 'pino';
import { activeTraceIds } from './tracing.ts';

export type { Logger };

/**
 * What is never written to a log line, for any tenant: credentials.
 * Paths are pino's (fast-redact): a key at the top of a line's object, or one level down.
 */
export const CREDENTIAL_PATHS = [
  'authorization',
  'headers.authorization',
  'headers["x-switchyard-context"]',
  'headers.cookie',
  ...['secret', 'apiKey', 'password', 'token', 'accessToken', 'webhookSecret', 'connectionString', 'masterKey'].flatMap((key) => [key, `*.${key}`]),
];

/**
 * What tenants send to models or tools (prompts, messages, tool arguments, workflow input): their
 * data, not operations', redacted unless the tenant opted in to keep it (`settings.telemetry.keepPrompts`).
 */
export const PROMPT_PATHS = ['prompt', 'messages', 'arguments', 'toolArguments', 'input', 'content', 'userInput'].flatMap((key) => [key, `*.${key}`]);

/** Every path a log line is redacted at by default. */
export const REDACTED_PATHS = [...CREDENTIAL_PATHS, ...PROMPT_PATHS];

const CENSOR = '[redacted]';

/**
 * Structured JSON logs (pino), one line per event, with the service name on every line and the
 * active span's trace_id and span_id while tracing is on.
 */
export function createLogger(service: string, level: string = process.env.LOG_LEVEL ?? 'info', destination?: DestinationStream): Logger {
  const options = {
    name: service,
    level,
    base: { service },
    redact: { paths: REDACTED_PATHS, censor: CENSOR },
    mixin: () => activeTraceIds() ?? {},
  };
  return destination ? pino(options, destination) : pino(options);
}

/**
 * The logger of one tenant's run: a child of `logger` with `bindings`; it keeps the prompt fields
 * (PROMPT_PATHS) only when the tenant opted in for the run (`keepPrompts`), and redacts credentials
 * always. Every other logger of the process keeps redacting prompts, whatever a tenant chose.
 */
export function runLogger(logger: Logger, bindings: Record<string, unknown>, telemetry: { keepPrompts?: boolean } | undefined): Logger {
  if (!telemetry?.keepPrompts) return logger.child(bindings);
  return logger.child(bindings, { redact: { paths: CREDENTIAL_PATHS, censor: CENSOR } });
}
