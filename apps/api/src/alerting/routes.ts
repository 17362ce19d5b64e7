/**
 * The alerting routes on a plain Hono app: zod-validated input, the handlers of handlers.ts, and
 * `application/problem+json` for bad input and alerting errors. Authentication stays with the caller: every route
 * first calls `deps.authorize(c, role)` (viewer reads; operator acks; admin manages silences), which throws or
 * returns a Response to refuse.
 */
import type { Context, Env, Hono } from 'hono';
import { z } from 'zod';
import { AlertingError } from './errors';
import { ackAlert, alertHistory, deleteSilence, getSilences, listAlerts, listNotifications, postSilence, type HandlerDeps } from './handlers';
import { parseMatcher, type Matcher } from './labels';
import { NOTIFICATION_STATES } from './notify/delivery';
import { parseDuration } from './rules';

/** Roles the routes ask for. */
export type AlertingRole = 'viewer' | 'operator' | 'admin';

/** Dependencies of {@link alertingRoutes}. */
export interface AlertingRouteDeps<E extends Env = Env> extends HandlerDeps {
  /** Refuses a request by throwing (or returning a Response) when the caller lacks `role`. */
  authorize: (c: Context<E>, role: AlertingRole) => void | Response | Promise<void | Response>;
  /** The caller's name, recorded as `createdBy` / ack `by` (default: taken from the request body, required there). */
  actor?: (c: Context<E>) => string | undefined;
}

const STATUS: Record<string, number> = { NOT_FOUND: 404, CONFLICT: 409, VALIDATION_FAILED: 400, BAD_MATCHER: 400, UNAVAILABLE: 503 };

function problem(status: number, code: string, detail: string, errors?: { path: string; message: string }[]): Response {
  const title = status === 404 ? 'Not found' : status === 409 ? 'Conflict' : status === 503 ? 'Service unavailable' : 'Invalid request';
  const body = { type: `urn:switchyard:problem:${code.toLowerCase().replace(/_/g, '-')}`, title, status, detail, code, ...(errors ? { errors } : {}) };
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/problem+json' } });
}

class BadInput extends Error {
  constructor(readonly errors: { path: string; message: string }[]) {
    super(errors.map((e) => `${e.path}: ${e.message}`).join('; '));
  }
}

function parse<T extends z.ZodType>(schema: T, value: unknown, target: string): z.output<T> {
  const r = schema.safeParse(value);
  if (!r.success) throw new BadInput(r.error.issues.map((i) => ({ path: [target, ...i.path.map(String)].join('.'), message: i.message })));
  return r.data;
}

const time = z.union([z.iso.datetime({ offset: true }), z.string().regex(/^\d+$/)]).transform((s) => (/^\d+$/.test(s) ? Number(s) : Date.parse(s)));
const matcherInput = z.union([
  z.string().transform((s, ctx) => {
    try {
      return parseMatcher(s);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  }),
  z.strictObject({ name: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/), op: z.enum(['=', '!=', '=~', '!~']).default('='), value: z.string() }),
]);

const alertsQuery = z.strictObject({ state: z.enum(['pending', 'firing', 'resolved']).optional(), resolvedWithin: z.string().optional() });
const historyQuery = z.strictObject({ fingerprint: z.string().optional(), rule: z.string().optional(), from: time.optional(), to: time.optional(), limit: z.coerce.number().int().min(1).max(5000).optional() });
const ackBody = z.strictObject({ by: z.string().min(1).optional(), comment: z.string().max(2000).default('') });
const silenceBody = z.strictObject({
  matchers: z.array(matcherInput).min(1),
  startsAt: z.iso.datetime({ offset: true }).optional(),
  endsAt: z.iso.datetime({ offset: true }),
  createdBy: z.string().min(1).optional(),
  comment: z.string().min(1).max(2000),
});
const notificationsQuery = z.strictObject({ state: z.enum(NOTIFICATION_STATES as [string, ...string[]]).default('failed'), limit: z.coerce.number().int().min(1).max(1000).optional() });

/** Mounts GET/POST/DELETE /api/v1/silences, GET /api/v1/alerts(/history|/notifications), POST /api/v1/alerts/{fingerprint}/ack. */
export function alertingRoutes<E extends Env>(app: Hono<E>, deps: AlertingRouteDeps<E>): void {
  const route =
    (role: AlertingRole, fn: (c: Context<E>) => Promise<Response>) =>
    async (c: Context<E>): Promise<Response> => {
      const refused = await deps.authorize(c, role);
      if (refused) return refused;
      try {
        return await fn(c);
      } catch (err) {
        if (err instanceof BadInput) return problem(400, 'VALIDATION_FAILED', `The request is invalid: ${err.message}`, err.errors);
        if (err instanceof AlertingError && STATUS[err.code]) return problem(STATUS[err.code] ?? 400, err.code, err.message);
        throw err;
      }
    };
  const body = async (c: Context<E>): Promise<unknown> => {
    try {
      return await c.req.json();
    } catch {
      throw new BadInput([{ path: 'body', message: 'must be a JSON object' }]);
    }
  };
  const who = (c: Context<E>, given: string | undefined, field: string): string => {
    const name = deps.actor?.(c) ?? given;
    if (!name) throw new BadInput([{ path: `body.${field}`, message: 'required (no authenticated caller to take it from)' }]);
    return name;
  };

  app.get(
    '/api/v1/alerts',
    route('viewer', async (c) => {
      const q = parse(alertsQuery, c.req.query(), 'query');
      const within = q.resolvedWithin === undefined ? undefined : parseDuration(q.resolvedWithin);
      if (q.resolvedWithin !== undefined && within === undefined) throw new BadInput([{ path: 'query.resolvedWithin', message: 'a duration like 1h or 30m' }]);
      return c.json(await listAlerts(deps, { state: q.state, resolvedWithinMs: within }));
    }),
  );
  app.get(
    '/api/v1/alerts/history',
    route('viewer', async (c) => c.json(await alertHistory(deps, parse(historyQuery, c.req.query(), 'query')))),
  );
  app.get(
    '/api/v1/alerts/notifications',
    route('viewer', async (c) => {
      const q = parse(notificationsQuery, c.req.query(), 'query');
      return c.json(await listNotifications(deps, { state: q.state as (typeof NOTIFICATION_STATES)[number], limit: q.limit }));
    }),
  );
  app.post(
    '/api/v1/alerts/:fingerprint/ack',
    route('operator', async (c) => {
      const fp = parse(z.string().regex(/^[0-9a-f]{16}$/, '16 hex digits'), c.req.param('fingerprint'), 'path.fingerprint');
      const b = parse(ackBody, await body(c), 'body');
      return c.json(await ackAlert(deps, fp, { by: who(c, b.by, 'by'), comment: b.comment }), 201);
    }),
  );
  app.get(
    '/api/v1/silences',
    route('viewer', async (c) => c.json(await getSilences(deps, parse(z.strictObject({ state: z.enum(['active', 'pending', 'expired']).optional() }), c.req.query(), 'query')))),
  );
  app.post(
    '/api/v1/silences',
    route('admin', async (c) => {
      const b = parse(silenceBody, await body(c), 'body');
      const s = await postSilence(deps, { matchers: b.matchers as Matcher[], startsAt: b.startsAt ? Date.parse(b.startsAt) : undefined, endsAt: Date.parse(b.endsAt), createdBy: who(c, b.createdBy, 'createdBy'), comment: b.comment });
      return c.json(s, 201);
    }),
  );
  app.delete(
    '/api/v1/silences/:id',
    route('admin', async (c) => c.json(await deleteSilence(deps, parse(z.uuid(), c.req.param('id'), 'path.id')))),
  );
}
