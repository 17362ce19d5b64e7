/**
 * Throttle routes: PUT/DELETE /api/v1/throttles/{kind}/{name} (operators) and GET /api/v1/throttles (viewers).
 */
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { ValidationError } from '../errors';
import { liftThrottle, listThrottles, setThrottle } from '../handlers/throttles';
import { DryRunQuery, LiftBody, LiftQuery, Reason, ThrottleBody, ThrottleList, ThrottleParams, ThrottlePreview, ThrottleResult } from '../schemas';
import type { ApiEnv } from './env';
import { actionGuards, requireRole } from './middleware';
import { actionContext, idempotent, json, problems, type Services } from './services';
import { z } from '@hono/zod-openapi';

const security: Record<string, string[]>[] = [{ bearer: [] }, { session: [] }];
const Outcome = z.union([ThrottlePreview, ThrottleResult]);

export function registerThrottleRoutes(app: OpenAPIHono<ApiEnv>, s: Services): void {
  const target = (c: { req: { param(k: string): string | undefined } }): string => `${c.req.param('kind') ?? ''}:${c.req.param('name') ?? ''}`;

  app.openapi(
    createRoute({
      method: 'put',
      path: '/api/v1/throttles/{kind}/{name}',
      tags: ['throttles'],
      summary: 'Set a throttle or pause on a consumer group or queue (operator)',
      description: 'Merges with the current throttle. `?dryRun=true` previews the change and the consumers it reaches. Honours Idempotency-Key.',
      security,
      middleware: actionGuards(s.limiter, 'throttle.set', 'operator', target),
      request: {
        params: ThrottleParams,
        query: DryRunQuery,
        headers: z.object({ 'idempotency-key': z.string().max(255).optional().openapi({ description: 'Replays the first response for the same key and body (24 h).' }) }),
        body: { content: { 'application/json': { schema: ThrottleBody } }, required: true },
      },
      responses: { 200: json(Outcome, 'The preview (dryRun) or the throttle now in force.'), ...problems(400, 401, 403, 409, 429, 503) },
    }),
    async (c) => {
      const { kind, name } = c.req.valid('param');
      const { dryRun } = c.req.valid('query');
      const body = c.req.valid('json');
      const run = async () => ({ status: 200, body: await setThrottle(s.ctx, actionContext(c), { kind, name, ...body, dryRun }) });
      if (dryRun) return c.json((await run()).body as never, 200);
      return idempotent(c, s, body, run) as never;
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/api/v1/throttles/{kind}/{name}',
      tags: ['throttles'],
      summary: 'Lift a throttle (operator)',
      description: 'The reason comes in the body (`{"reason": ...}`) or as `?reason=`. `?dryRun=true` previews.',
      security,
      middleware: actionGuards(s.limiter, 'throttle.lift', 'operator', target),
      request: { params: ThrottleParams, query: LiftQuery, body: { content: { 'application/json': { schema: LiftBody } }, required: false } },
      responses: { 200: json(Outcome, 'The preview (dryRun) or the lifted state.'), ...problems(400, 401, 403, 429, 503) },
    }),
    async (c) => {
      const { kind, name } = c.req.valid('param');
      const q = c.req.valid('query');
      const body = c.req.valid('json') as { reason?: string };
      const parsed = Reason.safeParse(body.reason ?? q.reason);
      if (!parsed.success) throw new ValidationError('Lifting a throttle needs a reason of 3 to 500 characters, in the body or as ?reason=.', [{ path: 'body.reason', message: parsed.error.issues[0]?.message ?? 'required' }]);
      return c.json((await liftThrottle(s.ctx, actionContext(c), { kind, name, reason: parsed.data, dryRun: q.dryRun })) as never, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/throttles',
      tags: ['throttles'],
      summary: 'Throttles in force, with who set them, until when, and why',
      security,
      middleware: [requireRole('viewer')],
      responses: { 200: json(ThrottleList, 'Every throttle in force.'), ...problems(401, 403) },
    }),
    async (c) => c.json(await listThrottles(s.ctx), 200),
  );
}
