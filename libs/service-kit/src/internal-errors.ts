import type { ErrorRequestHandler } from 'express';
import { ErrorCode, SwitchyardError } from '@switchyard/contracts';
import type { Logger } from './logger.ts';

/** The HTTP status of an internal route's refusal, by its code: callers tell "stop" (4xx) from "retry" (5xx). */
const INTERNAL_STATUS: Record<ErrorCode, number> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  BAD_USER_INPUT: 400,
  RATE_LIMITED: 429,
  QUOTA_EXCEEDED: 429,
  BUDGET_EXCEEDED: 402,
  CONFLICT: 409,
  PRECONDITION_FAILED: 412,
  UNAVAILABLE: 503,
  INTERNAL_SERVER_ERROR: 500,
};

/**
 * The last handler of a service's internal routes (/internal/..., /engine/...): a refusal the route
 * threw (a SwitchyardError, e.g. a write for an erased tenant) is answered with its status and
 * `{ code, message }`, so the caller stops instead of retrying a refusal for ever; anything else is
 * a 500 that is logged.
 */
export function internalErrorHandler(logger: Logger): ErrorRequestHandler {
  return (error, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    if (error instanceof SwitchyardError) {
      res.status(INTERNAL_STATUS[error.code] ?? 400).json({ code: error.code, message: error.message });
      return;
    }
    // express.json()'s own refusals (a body too large or not JSON) carry their status.
    const status = (error as { status?: number; statusCode?: number }).status ?? (error as { statusCode?: number }).statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      res.status(status).json({ code: ErrorCode.BAD_USER_INPUT, message: (error as Error).message });
      return;
    }
    logger.error({ err: error, path: req.path }, 'internal route failed');
    res.status(500).json({ code: ErrorCode.INTERNAL_SERVER_ERROR, message: 'The request failed inside the service; it was logged. Retry later.' });
  };
}
