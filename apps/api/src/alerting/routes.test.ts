// The alerting routes on a plain Hono app (in-process app.request): validation and problem+json, silences
// create/list/expire, ack, alerts, and the failed-notification listing over a real BullMQ failed set.
import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import type { Store } from '@switchyard/store/types';
import { manualClock } from '@switchyard/telemetry/clock';
import { NotificationQueue, startDeliveryWorker } from './notify/delivery';
import { alertingRoutes, type AlertingRole } from './routes';
import { deletePrefix, eventually, openTestStore, quietLogger, testRedis } from './testkit';

let store: Store;
let dispose: () => Promise<void>;
let redis: Redis;
const prefix = `t-${randomUUID()}:`;
let queue: NotificationQueue;
const clock = manualClock(Date.now());
const RANK: AlertingRole[] = ['viewer', 'operator', 'admin'];

function app(withQueue = true): Hono {
  const a = new Hono();
  alertingRoutes(a, {
    store,
    clock,
    rules: [],
    queue: withQueue ? queue : undefined,
    authorize: (c, role) => {
      const have = (c.req.header('x-role') ?? 'viewer') as AlertingRole;
      if (RANK.indexOf(have) < RANK.indexOf(role)) return new Response(JSON.stringify({ code: 'ROLE_REQUIRED' }), { status: 403, headers: { 'Content-Type': 'application/problem+json' } });
    },
    actor: (c) => c.req.header('x-user'),
  });
  return a;
}

beforeAll(async () => {
  ({ store, dispose } = await openTestStore());
  redis = testRedis();
  queue = new NotificationQueue({ connection: redis, prefix: `${prefix}bull`, attempts: 1 });
});
afterAll(async () => {
  await queue.close();
  await deletePrefix(redis, prefix);
  redis.disconnect();
  await dispose();
});

const json = (body: unknown, role: AlertingRole = 'admin') => ({ method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json', 'x-role': role, 'x-user': 'alice' } });

describe('alerting routes', () => {
  it('creates, lists and expires a silence; refuses bad input with problem+json', async () => {
    const a = app();
    const endsAt = new Date(clock.now() + 3_600_000).toISOString();
    const created = await a.request('/api/v1/silences', json({ matchers: ['group="payments"', { name: 'severity', op: '=~', value: 'warn.*' }], endsAt, comment: 'deploy' }));
    expect(created.status).toBe(201);
    const s = (await created.json()) as { id: string; status: string; createdBy: string; matchers: unknown[] };
    expect(s).toMatchObject({ status: 'active', createdBy: 'alice' });
    expect(s.matchers).toEqual([{ name: 'group', op: '=', value: 'payments' }, { name: 'severity', op: '=~', value: 'warn.*' }]);

    const bad = await a.request('/api/v1/silences', json({ matchers: ['group=~"("'], comment: '' }));
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toBe('application/problem+json');
    const problem = (await bad.json()) as { code: string; errors: { path: string }[] };
    expect(problem.code).toBe('VALIDATION_FAILED');
    expect(problem.errors.map((e) => e.path)).toEqual(expect.arrayContaining(['body.matchers.0', 'body.endsAt', 'body.comment']));

    expect((await a.request('/api/v1/silences', json({ matchers: ['a=b'], endsAt, comment: 'x' }, 'operator'))).status).toBe(403);

    const list = (await (await a.request('/api/v1/silences?state=active')).json()) as { silences: { id: string }[] };
    expect(list.silences.map((x) => x.id)).toContain(s.id);
    clock.advance(1_000);
    const expired = await a.request(`/api/v1/silences/${s.id}`, { method: 'DELETE', headers: { 'x-role': 'admin' } });
    expect(expired.status).toBe(200);
    expect(((await expired.json()) as { status: string }).status).toBe('expired');
    const again = await a.request(`/api/v1/silences/${s.id}`, { method: 'DELETE', headers: { 'x-role': 'admin' } });
    expect(again.status).toBe(409);
    expect((await a.request(`/api/v1/silences/${randomUUID()}`, { method: 'DELETE', headers: { 'x-role': 'admin' } })).status).toBe(404);
  });

  it('answers alerts, history and ack with validation', async () => {
    const a = app();
    const alerts = await a.request('/api/v1/alerts?state=firing');
    expect(alerts.status).toBe(200);
    expect(await alerts.json()).toEqual({ alerts: [], ruleErrors: [] });
    expect((await a.request('/api/v1/alerts?state=burning')).status).toBe(400);
    expect((await a.request('/api/v1/alerts/history?limit=10')).status).toBe(200);
    expect((await a.request('/api/v1/alerts/history?from=yesterday')).status).toBe(400);
    expect((await a.request('/api/v1/alerts/0123456789abcdef/ack', json({ comment: 'mine' }, 'operator'))).status).toBe(404);
    expect((await a.request('/api/v1/alerts/not-a-fingerprint/ack', json({}, 'operator'))).status).toBe(400);
  });

  it('lists undeliverable notifications from the failed set', async () => {
    expect((await app(false).request('/api/v1/alerts/notifications')).status).toBe(503);
    const worker = startDeliveryWorker({ connection: redis, prefix: `${prefix}bull`, receivers: new Map(), clock, logger: quietLogger });
    try {
      await queue.enqueue({ id: `n-${randomUUID()}`, receiver: 'gone', groupKey: '{}:{alertname="X"}', groupLabels: { alertname: 'X' }, externalURL: '', alerts: [], createdAt: clock.now() });
      const a = app();
      const failed = await eventually(async () => {
        const body = (await (await a.request('/api/v1/alerts/notifications?state=failed')).json()) as { notifications: { receiver: string; failedReason: string }[] };
        return body.notifications.length > 0 ? body.notifications : undefined;
      });
      expect(failed[0]).toMatchObject({ receiver: 'gone', failedReason: 'receiver "gone" is not configured' });
      expect((await a.request('/api/v1/alerts/notifications?state=lost')).status).toBe(400);
    } finally {
      await worker.close();
    }
  });
});
