/**
 * End to end over HTTP: @hono/node-server on 127.0.0.1:0; sign in with a cookie, open the live feed, set a
 * throttle, see its progress event on the feed, disconnect, and check the stream let go of its subscription.
 */
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import type { Api } from './app';
import { progressBus } from './progress';
import { openHarness, type Harness } from './testing';

const ADMIN = 'sy_e2e_admin_token_0123456789abcdef0123';
let h: Harness;
let api: Api;
let server: ServerType;
let base: string;

beforeAll(async () => {
  h = await openHarness(inject('kafkaBrokers'), inject('redisUrl'));
  api = h.api({ adminToken: ADMIN, api: { streamIntervalMs: 200, heartbeatMs: 400 } });
  await api.start();
  await h.store.insert('consumer_group_status', [{ ts: new Date(), group: 'e2e-svc', status: 'OK', lag_messages: 12, lag_seconds: 0.4, partitions: 4, topics: ['orders'], reason: '' }]);
  server = serve({ fetch: api.app.fetch, hostname: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await api?.stop();
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  await h?.close();
});

/** Reads SSE events from a response body until `until` says stop. */
async function readEvents(res: Response, until: (events: { event: string; data: string }[], raw: string) => boolean): Promise<{ events: { event: string; data: string }[]; raw: string }> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let raw = '';
  const events: { event: string; data: string }[] = [];
  while (!until(events, raw)) {
    const { value, done } = await reader.read();
    if (done) break;
    raw += decoder.decode(value, { stream: true });
    events.length = 0;
    for (const block of raw.split('\n\n').slice(0, -1)) {
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (event && data) events.push({ event, data });
    }
  }
  await reader.cancel();
  return { events, raw };
}

it('serves the API over HTTP: cookie sign-in, live feed with snapshots, progress and heartbeats, clean disconnect', async () => {
  const login = await fetch(`${base}/api/v1/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ token: ADMIN }) });
  expect(login.status).toBe(200);
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';

  const anonymous = await fetch(`${base}/api/v1/stream`);
  expect(anonymous.status).toBe(401);
  await anonymous.body?.cancel();

  const listenersBefore = progressBus.listenerCount();
  const stream = await fetch(`${base}/api/v1/stream`, { headers: { Cookie: cookie } });
  expect(stream.status).toBe(200);
  expect(stream.headers.get('content-type')).toContain('text/event-stream');

  let throttled = false;
  const { events, raw } = await readEvents(stream, (evs) => {
    if (!throttled && evs.some((e) => e.event === 'snapshot')) {
      throttled = true;
      void fetch(`${base}/api/v1/throttles/group/e2e-svc`, {
        method: 'PUT',
        headers: { Cookie: cookie, 'X-Requested-With': 'switchyard', 'Content-Type': 'application/json' },
        body: JSON.stringify({ paused: true, reason: 'end-to-end test' }),
      });
    }
    return evs.some((e) => e.event === 'progress') && evs.filter((e) => e.event === 'snapshot').length >= 3;
  });
  const snapshot = JSON.parse(events.find((e) => e.event === 'snapshot')?.data ?? '{}') as { groups: { group: string; status: string; lagMessages: number }[] };
  expect(snapshot.groups).toContainEqual({ group: 'e2e-svc', status: 'OK', lagMessages: 12, lagSeconds: 0.4 });
  const progress = JSON.parse(events.find((e) => e.event === 'progress')?.data ?? '{}') as Record<string, unknown>;
  expect(progress).toMatchObject({ kind: 'throttle', state: 'done', matched: 1, done: 1, failed: 0 });
  expect(typeof progress.id).toBe('string');
  expect(raw).toContain(': heartbeat');

  // The client went away: the stream unsubscribes from the progress bus.
  await expect.poll(() => progressBus.listenerCount(), { timeout: 5000 }).toBe(listenersBefore);
  expect(JSON.parse((await h.redis.get(`${h.prefix}control:group:e2e-svc`)) ?? 'null')).toEqual({ paused: true, maxRate: null, expiresAt: null });

  const metrics = await fetch(`${base}/metrics`);
  expect(await metrics.text()).toContain('switchyard_consumer_group_status{group="e2e-svc",status="OK"} 1');
});
