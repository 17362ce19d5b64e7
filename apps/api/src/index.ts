/**
 * @switchyard/api: REST (OpenAPI), live feed (SSE), Prometheus /metrics and operator actions. See README.md.
 */
export { createApi, type Api, type StartResult } from './app';
export { audit, type AuditEntry, type AuditOutcome, type AuditResult } from './audit';
export { progressBus, ProgressBus, type ProgressEvent } from './progress';
export { ApiError, ConflictError, ForbiddenError, NotFoundError, RateLimitedError, UnauthorizedError, UnavailableError, ValidationError, type FieldProblem } from './errors';
export { ROLES, roleAtLeast, resolveOptions, type ApiConfig, type ApiDeps, type ApiOptions, type Principal, type Role } from './types';
export type { CollectorHealth } from './metrics/registry';
export { hashToken, generateToken } from './auth/tokens';
