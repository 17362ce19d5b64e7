/**
 * Operator action routes: replays and redrives (start with `?dryRun=true` preview, list, get, cancel) and the
 * rewind of a consumer group. Operators act, viewers read. Every start honours Idempotency-Key.
 */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { cancelAction, getAction, listActionPage } from '../actions/manage';
import { redrive } from '../actions/redrive';
import { replay } from '../actions/replay';
import { rewindGroup } from '../actions/rewind';
import type { ActionKind } from '../actions/state';
import { ValidationError } from '../errors';
import { ActionList, ActionParams, ActionStarted, ActionView, CancelBody, CancelQuery, DryRunQuery, GroupParams, PageQuery, Reason, RedriveBody, RedrivePreview, ReplayBody, ReplayPreview, RewindBody, RewindResult } from '../schemas';
import type { ApiEnv } from './env';
import { actionGuards, requireRole } from './middleware';
import { actionContext, idempotent, json, problems, type Services } from './services';

const security: Record<string, string[]>[] = [{ bearer: [] }, { session: [] }];
const IdemHeader = z.object({ 'idempotency-key': z.string().max(255).optional().openapi({ description: 'Replays the first response for the same key and body (24 h).' }) });

const reasonOf = (c: Context<ApiEnv>, body: { reason?: string }): string => {
  const parsed = Reason.safeParse(body.reason ?? c.req.query('reason'));
  if (!parsed.success) throw new ValidationError('Cancelling needs a reason of 3 to 500 characters, in the body or as ?reason=.', [{ path: 'body.reason', message: parsed.error.issues[0]?.message ?? 'required' }]);
  return parsed.data;
};

function registerReads(app: OpenAPIHono<ApiEnv>, s: Services, kind: ActionKind, plural: string): void {
  app.openapi(
    createRoute({ method: 'get', path: `/api/v1/${plural}`, tags: [plural], summary: `${kind === 'replay' ? 'Replays' : 'Redrives'}, newest first`, security, middleware: [requireRole('viewer')], request: { query: PageQuery }, responses: { 200: json(ActionList, 'One page.'), ...problems(400, 401, 403) } }),
    async (c) => c.json((await listActionPage(s.ctx, kind, c.req.valid('query'))) as never, 200),
  );
  app.openapi(
    createRoute({ method: 'get', path: `/api/v1/${plural}/{id}`, tags: [plural], summary: `One ${kind}: state and progress${kind === 'redrive' ? ', with what failed again' : ''}`, security, middleware: [requireRole('viewer')], request: { params: ActionParams }, responses: { 200: json(ActionView, `The ${kind}.`), ...problems(401, 403, 404) } }),
    async (c) => c.json((await getAction(s.ctx, kind, c.req.valid('param').id)) as never, 200),
  );
  app.openapi(
    createRoute({
      method: 'delete',
      path: `/api/v1/${plural}/{id}`,
      tags: [plural],
      summary: `Cancel a running ${kind} (operator)`,
      description: 'The reason comes in the body or as `?reason=`. What was already published stays published.',
      security,
      middleware: actionGuards(s.limiter, `${kind}.cancel`, 'operator', (c) => `${kind}:${c.req.param('id') ?? ''}`),
      request: { params: ActionParams, query: CancelQuery, body: { content: { 'application/json': { schema: CancelBody } }, required: false } },
      responses: { 200: json(ActionView, `The ${kind} after it stopped.`), ...problems(400, 401, 403, 404, 409, 429, 503) },
    }),
    async (c) => {
      const body = c.req.valid('json') as { reason?: string };
      return c.json((await cancelAction(s.ctx, actionContext(c), kind, c.req.valid('param').id, reasonOf(c, body))) as never, 200);
    },
  );
}

export function registerActionRoutes(app: OpenAPIHono<ApiEnv>, s: Services): void {
  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/replays',
      tags: ['replays'],
      summary: 'Replay a selection of a topic to itself or to `<topic>.sandbox` (operator)',
      description: '`?dryRun=true` previews: how many messages, from the broker or the archive, which consumer groups see them, the estimated cost. Otherwise answers 202 with the running action. Honours Idempotency-Key.',
      security,
      middleware: actionGuards(s.limiter, 'replay.start', 'operator', () => 'replays'),
      request: { query: DryRunQuery, headers: IdemHeader, body: { content: { 'application/json': { schema: ReplayBody } }, required: true } },
      responses: { 200: json(ReplayPreview, 'The preview (dryRun).'), 202: json(ActionStarted, 'The replay, started.'), ...problems(400, 401, 403, 409, 422, 429, 503) },
    }),
    async (c) => {
      const { dryRun } = c.req.valid('query');
      const body = c.req.valid('json');
      if (dryRun) return c.json((await replay(s.ctx, actionContext(c), { ...body, dryRun: true })) as never, 200);
      return idempotent(c, s, body, async () => ({ status: 202, body: await replay(s.ctx, actionContext(c), { ...body, dryRun: false }) })) as never;
    },
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/redrives',
      tags: ['redrives'],
      summary: 'Redrive dead letters to their origin, or failed jobs back to waiting, each at most once (operator)',
      description: '`dryRun` (body or `?dryRun=true`) previews. Entries an earlier redrive claimed are skipped and reported. Answers 202 with the running action. Honours Idempotency-Key.',
      security,
      middleware: actionGuards(s.limiter, 'redrive.start', 'operator', () => 'redrives'),
      request: { query: DryRunQuery, headers: IdemHeader, body: { content: { 'application/json': { schema: RedriveBody } }, required: true } },
      responses: { 200: json(RedrivePreview, 'The preview (dryRun).'), 202: json(ActionStarted, 'The redrive, started.'), ...problems(400, 401, 403, 409, 422, 429, 503) },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const dryRun = c.req.valid('query').dryRun || body.dryRun === true;
      const input = { ...body, dryRun };
      if (dryRun) return c.json((await redrive(s.ctx, actionContext(c), input)) as never, 200);
      return idempotent(c, s, body, async () => ({ status: 202, body: await redrive(s.ctx, actionContext(c), input) })) as never;
    },
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/consumer-groups/{group}/rewind',
      tags: ['consumer groups'],
      summary: 'Rewind a consumer group to a time, where the broker allows it (operator)',
      description: 'Needs a group without active members and a broker that resolves times to offsets; otherwise a problem with code BROKER_UNSUPPORTED (501) or GROUP_ACTIVE (409). `dryRun` previews the offsets.',
      security,
      middleware: actionGuards(s.limiter, 'consumer-group.rewind', 'operator', (c) => `group:${c.req.param('group') ?? ''}`),
      request: { params: GroupParams, query: DryRunQuery, headers: IdemHeader, body: { content: { 'application/json': { schema: RewindBody } }, required: true } },
      responses: { 200: json(RewindResult, 'The offsets set (or previewed).'), ...problems(400, 401, 403, 409, 422, 429, 503), 501: { description: 'The broker cannot resolve times to offsets (BROKER_UNSUPPORTED)' } },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const input = { group: c.req.valid('param').group, to: body.to, reason: body.reason, dryRun: c.req.valid('query').dryRun || body.dryRun === true };
      if (input.dryRun) return c.json((await rewindGroup(s.ctx, actionContext(c), input)) as never, 200);
      return idempotent(c, s, body, async () => ({ status: 200, body: await rewindGroup(s.ctx, actionContext(c), input) })) as never;
    },
  );
  registerReads(app, s, 'replay', 'replays');
  registerReads(app, s, 'redrive', 'redrives');
}
