/**
 * Request-scoped middleware: request id, authentication (bearer token or console cookie), role checks with the
 * CSRF rule for cookies, the action tag, the per-token action rate limit, and the malformed-JSON guard.
 */
import { randomUUID } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { SESSION_COOKIE, type SessionStore } from '../auth/sessions';
import type { TokenRegistry } from '../auth/tokens';
import { ForbiddenError, UnauthorizedError, ValidationError } from '../errors';
import type { RateLimiter } from '../rate-limit';
import { roleAtLeast, type Role } from '../types';
import type { ApiEnv } from './env';

/** Header a cookie-authenticated mutating request must carry (`X-Requested-With: switchyard`). */
export const CSRF_HEADER = 'X-Requested-With';
export const CSRF_VALUE = 'switchyard';

/** Takes X-Request-Id when it looks sane, else makes one; echoes it on the response. */
export function requestId(): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const given = c.req.header('X-Request-Id');
    const id = given && /^[A-Za-z0-9._-]{1,100}$/.test(given) ? given : randomUUID();
    c.set('requestId', id);
    c.header('X-Request-Id', id);
    await next();
  };
}

/**
 * Resolves the caller: `Authorization: Bearer <token>` (an unknown token is a 401 at once), else the session
 * cookie (an unknown or expired session is just anonymous). Anonymous callers pass; routes decide.
 */
export function authenticate(tokens: TokenRegistry, sessions: SessionStore): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const auth = c.req.header('Authorization');
    if (auth !== undefined) {
      const m = /^Bearer\s+(\S+)$/i.exec(auth);
      if (!m?.[1]) throw new UnauthorizedError('The Authorization header must be "Bearer <token>".', 'INVALID_TOKEN');
      const rec = await tokens.lookup(m[1]);
      if (!rec) throw new UnauthorizedError('That token is unknown or revoked.', 'INVALID_TOKEN');
      c.set('principal', { tokenId: rec.id, name: rec.name, role: rec.role, via: 'bearer' });
    } else {
      const sid = getCookie(c, SESSION_COOKIE);
      if (sid) {
        const tokenId = await sessions.resolve(sid);
        const rec = tokenId ? await tokens.byId(tokenId) : null;
        if (rec && rec.revokedAt === null) {
          c.set('principal', { tokenId: rec.id, name: rec.name, role: rec.role, via: 'cookie' });
          c.set('sessionId', sid);
        }
      }
    }
    await next();
  };
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The CSRF rule: a cookie-authenticated request that changes something must carry the custom header. */
export function checkCsrf(c: Context<ApiEnv>): void {
  if (c.get('principal')?.via === 'cookie' && !SAFE.has(c.req.method) && c.req.header(CSRF_HEADER) !== CSRF_VALUE) {
    throw new ForbiddenError(`Requests signed in with the session cookie that change something must send "${CSRF_HEADER}: ${CSRF_VALUE}".`, 'CSRF_HEADER_REQUIRED');
  }
}

/** 401 for anonymous callers, 403 below `role` (or without the CSRF header on a cookie). */
export function requireRole(role: Role): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const p = c.get('principal');
    if (!p) throw new UnauthorizedError();
    checkCsrf(c);
    if (!roleAtLeast(p.role, role)) throw new ForbiddenError(`This needs the ${role} role; token "${p.name}" is ${p.role}.`, 'ROLE_REQUIRED');
    await next();
  };
}

/** Names the action (and its target) before anything can reject it, so rejections are audited. */
export function tagAction(action: string, target: (c: Context<ApiEnv>) => string): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    c.set('action', { action, target: target(c) });
    await next();
  };
}

/** Takes one slot of the caller's action budget (429 with Retry-After when spent). */
export function rateLimit(limiter: RateLimiter): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const p = c.get('principal');
    if (p) {
      const { remaining } = await limiter.take(p.tokenId);
      c.header('RateLimit-Remaining', String(remaining));
    }
    await next();
  };
}

/** A JSON body that does not parse is a 400 `MALFORMED_JSON` (parsed once; validators reuse Hono's cache). */
export function jsonBody(): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const type = c.req.header('Content-Type') ?? '';
    if (/^application\/([a-z.-]+\+)?json/i.test(type) && !SAFE.has(c.req.method)) {
      const text = await c.req.text();
      if (text.trim() !== '') {
        try {
          JSON.parse(text);
        } catch {
          throw new ValidationError('The request body is not valid JSON.', [{ path: 'body', message: 'malformed JSON' }], 'MALFORMED_JSON');
        }
      }
    }
    await next();
  };
}

/** The guards of an action route, in order: tag, role (and CSRF), rate limit, JSON. */
export function actionGuards(limiter: RateLimiter, action: string, role: Role, target: (c: Context<ApiEnv>) => string): MiddlewareHandler<ApiEnv>[] {
  return [tagAction(action, target), requireRole(role), rateLimit(limiter), jsonBody()];
}
