import { GraphQLError } from 'graphql';

/**
 * The platform's one error vocabulary. Every service throws these (or maps its own failures to them),
 * so a client sees the same `extensions.code` for the same kind of failure wherever it happened.
 */
export const ErrorCode = {
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  RATE_LIMITED: 'RATE_LIMITED',
  QUOTA_EXCEEDED: 'QUOTA_EXCEEDED',
  BUDGET_EXCEEDED: 'BUDGET_EXCEEDED',
  CONFLICT: 'CONFLICT',
  PRECONDITION_FAILED: 'PRECONDITION_FAILED',
  UNAVAILABLE: 'UNAVAILABLE',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** The HTTP status the gateway answers with for an error of this code (subgraphs always answer 200). */
export const HTTP_STATUS_FOR_CODE: Partial<Record<ErrorCode, number>> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  RATE_LIMITED: 429,
  QUOTA_EXCEEDED: 429,
};

/** Base class of every expected failure; `extensions.code` is stable and safe to branch on. */
export class SwitchyardError extends GraphQLError {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}) {
    super(message, { extensions: { code, ...extensions } });
    this.code = code;
  }
}

export class UnauthenticatedError extends SwitchyardError {
  constructor(message = 'Missing or invalid credentials: send "Authorization: Bearer <api key>".') {
    super(ErrorCode.UNAUTHENTICATED, message);
  }
}
export class ForbiddenError extends SwitchyardError {
  constructor(message: string) {
    super(ErrorCode.FORBIDDEN, message);
  }
}
export class NotFoundError extends SwitchyardError {
  constructor(what: string, id: string) {
    super(ErrorCode.NOT_FOUND, `${what} "${id}" was not found for this tenant; check the id.`);
  }
}
export class BadUserInputError extends SwitchyardError {
  constructor(message: string, extensions: Record<string, unknown> = {}) {
    super(ErrorCode.BAD_USER_INPUT, message, extensions);
  }
}
export class ConflictError extends SwitchyardError {
  constructor(message: string) {
    super(ErrorCode.CONFLICT, message);
  }
}
/** An optimistic-concurrency check failed: the document changed since it was read. Re-read and retry. */
export class PreconditionFailedError extends SwitchyardError {
  constructor(message: string) {
    super(ErrorCode.PRECONDITION_FAILED, message);
  }
}
export class UnavailableError extends SwitchyardError {
  constructor(message: string) {
    super(ErrorCode.UNAVAILABLE, message);
  }
}
