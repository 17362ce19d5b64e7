/**
 * What the route files share: the handler context, the auth pieces, and small helpers for OpenAPI responses and
 * idempotent actions.
 */
import type { Context } from 'hono';
import type { Registry } from 'prom-client';
import type { SessionStore } from '../auth/sessions';
import type { TokenRegistry } from '../auth/tokens';
import type { ActionContext } from '../handlers/throttles';
import { fingerprint, type IdempotencyStore } from '../idempotency';
import type { MetricsSource } from '../metrics/source';
import type { RateLimiter } from '../rate-limit';
import { Problem } from '../schemas';
import type { Ctx } from '../types';
import type { ApiEnv } from './env';

export interface Services {
  ctx: Ctx;
  tokens: TokenRegistry;
  sessions: SessionStore;
  limiter: RateLimiter;
  idempotency: IdempotencyStore;
  source: MetricsSource;
  registry: Registry;
  /** Aborted by `stop()`: live-feed streams end. */
  shutdown: AbortSignal;
}

const TITLES: Record<number, string> = {
  400: 'Invalid request (code VALIDATION_FAILED, MALFORMED_JSON, INVALID_CURSOR)',
  401: 'No or unknown credentials (UNAUTHORIZED, INVALID_TOKEN)',
  403: 'Role too low, or a cookie request without X-Requested-With (ROLE_REQUIRED, CSRF_HEADER_REQUIRED)',
  404: 'Not found',
  409: 'Conflict (IDEMPOTENCY_KEY_REUSED, IDEMPOTENCY_IN_PROGRESS, ALREADY_REVOKED)',
  429: 'Rate limited (RATE_LIMITED); see Retry-After',
  503: 'A dependency is unavailable (UNAVAILABLE, AUDIT_UNAVAILABLE, CONTROL_UNAVAILABLE)',
};

/** OpenAPI response entries for problem statuses. */
export function problems(...statuses: number[]) {
  const out: Record<number, { description: string; content: { 'application/problem+json': { schema: typeof Problem } } }> = {};
  for (const s of statuses) out[s] = { description: TITLES[s] ?? 'Problem', content: { 'application/problem+json': { schema: Problem } } };
  return out;
}

/** A JSON response entry. */
export function json<T>(schema: T, description: string) {
  return { description, content: { 'application/json': { schema } } };
}

/** The acting caller and request ids, for handlers. Only call behind requireRole. */
export function actionContext(c: Context<ApiEnv>): ActionContext {
  const principal = c.get('principal');
  if (!principal) throw new Error('actionContext used on a route without requireRole');
  return { principal, requestId: c.get('requestId'), idempotencyKey: c.req.header('Idempotency-Key') };
}

/**
 * Runs an action once per Idempotency-Key (when the header is present): a replay answers the stored response
 * with `Idempotent-Replayed: true`. `store` may strip what must never be kept (a token's secret).
 */
export async function idempotent(
  c: Context<ApiEnv>,
  s: Services,
  body: unknown,
  run: () => Promise<{ status: number; body: unknown }>,
  store: (body: unknown) => unknown = (b) => b,
): Promise<Response> {
  const key = c.req.header('Idempotency-Key');
  const principal = c.get('principal');
  if (!key || !principal) {
    const res = await run();
    return c.json(res.body as object, res.status as 200);
  }
  let fresh: unknown;
  const url = new URL(c.req.url);
  const res = await s.idempotency.run(principal.tokenId, key, fingerprint(c.req.method, url.pathname + url.search, body), async () => {
    const r = await run();
    fresh = r.body;
    return { status: r.status, body: store(r.body) };
  });
  if (res.replayed) c.header('Idempotent-Replayed', 'true');
  return c.json((res.replayed ? res.body : fresh) as object, res.status as 200);
}
