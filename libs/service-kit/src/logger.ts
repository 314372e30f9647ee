import { pino, type Logger } from 'pino';

export type { Logger };

/** Structured JSON logs (pino), one line per event, with the service name on every line. */
export function createLogger(service: string, level: string = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({
    name: service,
    level,
    base: { service },
    redact: { paths: ['authorization', 'headers.authorization', '*.secret', '*.apiKey', '*.password'], censor: '[redacted]' },
  });
}
