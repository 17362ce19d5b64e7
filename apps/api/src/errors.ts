/**
 * Typed API errors. Each has an HTTP status, a stable string `code` clients branch on, and a `retriable` flag.
 * They are turned into `application/problem+json` in one place (src/problem.ts); handlers just throw them.
 */

/** One field-level problem of a request (`path` is the dotted location, e.g. `body.reason`). */
export interface FieldProblem {
  path: string;
  message: string;
}

/** Base class of every error the API maps to a problem response. */
export abstract class ApiError extends Error {
  abstract readonly status: number;
  abstract readonly title: string;
  readonly retriable: boolean = false;
  constructor(
    message: string,
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
  /** Extra response headers (e.g. Retry-After). */
  headers(): Record<string, string> {
    return {};
  }
}

/** 404: the thing named in the path does not exist. Default code `NOT_FOUND`. */
export class NotFoundError extends ApiError {
  readonly status = 404;
  readonly title = 'Not found';
  constructor(message: string, code = 'NOT_FOUND') {
    super(message, code);
  }
}

/** 409: the request conflicts with the current state (e.g. an idempotency key reused). Default code `CONFLICT`. */
export class ConflictError extends ApiError {
  readonly status = 409;
  readonly title = 'Conflict';
  constructor(message: string, code = 'CONFLICT') {
    super(message, code);
  }
}

/** 400: the request is malformed or fails validation; `errors` lists each field. Default code `VALIDATION_FAILED`. */
export class ValidationError extends ApiError {
  readonly status = 400;
  readonly title = 'Invalid request';
  constructor(
    message: string,
    readonly errors: FieldProblem[] = [],
    code = 'VALIDATION_FAILED',
  ) {
    super(message, code);
  }
}

/** 401: no credentials, or credentials that match no live token or session. Default code `UNAUTHORIZED`. */
export class UnauthorizedError extends ApiError {
  readonly status = 401;
  readonly title = 'Unauthorized';
  constructor(message = 'Authentication required: send "Authorization: Bearer <token>" or sign in.', code = 'UNAUTHORIZED') {
    super(message, code);
  }
  override headers(): Record<string, string> {
    return { 'WWW-Authenticate': 'Bearer realm="switchyard"' };
  }
}

/** 403: authenticated but not allowed (role too low, or a cookie request without the CSRF header). */
export class ForbiddenError extends ApiError {
  readonly status = 403;
  readonly title = 'Forbidden';
  constructor(message: string, code = 'FORBIDDEN') {
    super(message, code);
  }
}

/** 429: too many actions from one token; carries the seconds to wait (sent as Retry-After). */
export class RateLimitedError extends ApiError {
  readonly status = 429;
  readonly title = 'Too many requests';
  override readonly retriable = true;
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
    code = 'RATE_LIMITED',
  ) {
    super(message, code);
  }
  override headers(): Record<string, string> {
    return { 'Retry-After': String(Math.max(1, Math.ceil(this.retryAfterSeconds))) };
  }
}

/** 503: a dependency (ClickHouse, Redis, Kafka) cannot answer now. Default code `UNAVAILABLE`. */
export class UnavailableError extends ApiError {
  readonly status = 503;
  readonly title = 'Service unavailable';
  override readonly retriable = true;
  constructor(message: string, code = 'UNAVAILABLE', options?: { cause?: unknown }) {
    super(message, code, options);
  }
}
