/**
 * Replay end to end on the mock cluster, real Redis and chDB: previews, exact re-publishing with sy-replay-id,
 * consumers that do not double their effects (the bus's idempotency by event id), content filters to the sandbox,
 * time ranges through the archive where the broker cannot resolve times, the limit, cancel, and rewind's refusal.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { KafkaBus } from '@switchyard/bus';
import type { Consumer } from '@switchyard/bus/types';
import { collect } from '@switchyard/bus/testing';
import { startTap, type Tap } from '@switchyard/collectors/tap';
import type { Envelope } from '@switchyard/contracts';
import type { Api } from '../app';
import { openHarness, req, type Harness } from '../testing';
import { delivered, roleTokens, testBus, until, waitForAction } from './testing-actions';

const ADMIN = 'sy_replay_test_admin_0123456789abcdefghij';
let h: Harness;
let api: Api;
let operator: string;
let bus: KafkaBus;
let loyalty: Consumer;
let tap: Tap;
const topic = `rp-${randomUUID().slice(0, 8)}`;
const group = `loyalty-${randomUUID().slice(0, 8)}`;
const balanceKey = () => `${h.prefix}balance`;
let events: Envelope[] = [];
const started = Date.now();

const high = async (t: string): Promise<string[]> => {
  const admin = h.kafka.admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(t)).map((o) => `${o.partition}:${o.high}`).sort();
  } finally {
    await admin.disconnect();
  }
};
const audits = (id: string) => h.store.query<{ action: string; outcome: string; selection: string; preview: string }>('SELECT action, outcome, selection, preview FROM audit_log WHERE id = {id:String} OR (action = \'replay.start\' AND selection LIKE {like:String}) ORDER BY at', { id, like: `%"actionId":"${id}"%` });

beforeAll(async () => {
  const brokers = inject('kafkaBrokers');
  h = await openHarness(brokers, inject('redisUrl'));
  api = h.api({ adminToken: ADMIN, api: { kafkaTimeoutMs: 5000, actionRateLimit: 100 } });
  await api.start();
  ({ operator } = await roleTokens(api, ADMIN));
  bus = testBus(h, brokers);
  events = Array.from({ length: 30 }, () => delivered());
  await bus.publishMany(topic, events);
  // A loyalty-like consumer whose effect is NOT idempotent by itself: only the bus's event-id check protects it.
  loyalty = await bus.consume({ group, topics: [topic], sessionTimeoutMs: 6000, handle: async () => void (await h.redis.incrby(balanceKey(), 10)) });
  await until(() => (bus.stats()[group]?.processed ?? 0) >= 30, 'the consumer to credit every order');
  await h.store.insert('consumer_group_status', [{ ts: new Date(), group, status: 'OK', lag_messages: 0, lag_seconds: 0, partitions: 4, topics: [topic], reason: '' }]);
  tap = await startTap({ kafka: h.kafka, store: h.store, topics: [topic], groupId: `tap-${randomUUID()}`, sessionTimeout: 6000, writer: { maxRows: 100, flushIntervalMs: 100 } });
  await until(async () => Number((await h.store.query<{ n: string }>('SELECT count() AS n FROM events FINAL WHERE topic = {t:String}', { t: topic }))[0]?.n) === 30, 'the tap to archive the topic');
  await tap.stop();
});

afterAll(async () => {
  await loyalty?.stop();
  await bus?.close();
  await api?.stop();
  await h?.close();
});

describe('replay', () => {
  it('previews an offset selection from the broker, with the groups that will see it, and publishes nothing', async () => {
    const before = await high(topic);
    const res = await req(api, 'POST', '/api/v1/replays?dryRun=true', { token: operator, body: { selection: { topic, fromOffset: 0 }, target: 'original', reason: 'preview before replay' } });
    expect(res.status).toBe(200);
    const p = (await res.json()) as { matched: number; exact: boolean; sources: { broker: number; archive: number }; consumerGroups: { groups: { group: string }[]; note: string | null }; estimatedCost: { total: number; bytes: number } };
    expect(p).toMatchObject({ matched: 30, exact: true, sources: { broker: 30, archive: 0 } });
    expect(p.consumerGroups.groups.map((g) => g.group)).toContain(group);
    expect(p.consumerGroups.note).toMatch(/cannot list consumer groups/);
    expect(p.estimatedCost.total).toBeGreaterThan(0);
    expect(await high(topic)).toEqual(before);
  });

  it('a filtered selection goes to the sandbox topic only', async () => {
    const pick = events[3]!;
    const res = await req(api, 'POST', '/api/v1/replays', { token: operator, body: { selection: { topic, orderId: pick.orderId }, target: 'sandbox', reason: 'debug one order', velocity: 5000 } });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    expect(await waitForAction(api, operator, `/api/v1/replays/${id}`)).toMatchObject({ state: 'done', matched: 1, done: 1 });
    const raw = await collect(inject('kafkaBrokers').split(','), [`${topic}.sandbox`]);
    try {
      await until(() => raw.messages.some((m) => m.headers['sy-replay-id'] === id), 'the sandbox copy');
      const mine = raw.messages.filter((m) => m.headers['sy-replay-id'] === id);
      expect(mine.map((m) => m.headers['sy-event-id'])).toEqual([pick.id]);
    } finally {
      await raw.stop();
    }
  });

  it('re-publishes exactly the selection with sy-replay-id, and the consumer does not credit twice', async () => {
    const res = await req(api, 'POST', '/api/v1/replays', { token: operator, body: { selection: { topic }, target: 'original', reason: 'consumer fix deployed', velocity: 5000 } });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    const done = await waitForAction(api, operator, `/api/v1/replays/${id}`);
    expect(done).toMatchObject({ state: 'done', matched: 30, done: 30, failed: 0 });
    const raw = await collect(inject('kafkaBrokers').split(','), [topic]);
    try {
      await until(() => raw.messages.length >= 60, 'originals and replays on the topic');
      const replayed = raw.messages.filter((m) => m.headers['sy-replay-id'] === id);
      expect(replayed).toHaveLength(30);
      expect(new Set(replayed.map((m) => m.headers['sy-event-id']))).toEqual(new Set(events.map((e) => e.id)));
      expect(replayed.every((m) => m.key === JSON.parse(m.value ?? '{}').orderId)).toBe(true);
    } finally {
      await raw.stop();
    }
    await until(() => (bus.stats()[group]?.duplicatesSkipped ?? 0) >= 30, 'the consumer to see the replays');
    expect(await h.redis.get(balanceKey())).toBe('300');
    const rows = await audits(id);
    expect(rows.filter((r) => r.action === 'replay.start').map((r) => r.outcome)).toEqual(['accepted', 'done']);
    expect(JSON.parse(rows[0]?.preview ?? '{}')).toMatchObject({ matched: 30 });
  });

  it('resolves a time range from the archive when the broker answers ListOffsets by timestamp with the end offset', async () => {
    const selection = { topic, from: new Date(started - 5000).toISOString(), to: new Date(started + 120_000).toISOString() };
    const res = await req(api, 'POST', '/api/v1/replays?dryRun=true', { token: operator, body: { selection, target: 'sandbox', reason: 'time range on the mock' } });
    const p = (await res.json()) as { matched: number; timeRange: string; sources: { archive: number }; notes: string[] };
    expect(p.timeRange).toBe('archive');
    expect(p.sources.archive).toBe(30);
    expect(p.notes.join(' ')).toMatch(/ListOffsets by timestamp/);
    const run = await req(api, 'POST', '/api/v1/replays', { token: operator, body: { selection, target: 'sandbox', reason: 'time range on the mock', velocity: 5000 } });
    const { id } = (await run.json()) as { id: string };
    const done = await waitForAction(api, operator, `/api/v1/replays/${id}`);
    expect(done).toMatchObject({ state: 'done', done: 30 });
    expect(String(done.detail)).toMatch(/30 from the archive/);
  });

  it('refuses a selection over the limit with a 422 and publishes nothing', async () => {
    const before = await high(topic);
    const res = await req(api, 'POST', '/api/v1/replays', { token: operator, body: { selection: { topic }, target: 'original', reason: 'too much at once', limit: 5 } });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { code: string }).code).toBe('SELECTION_TOO_LARGE');
    expect(await high(topic)).toEqual(before);
  });

  it('cancels a slow replay part-way', async () => {
    const res = await req(api, 'POST', '/api/v1/replays', { token: operator, body: { selection: { topic }, target: 'sandbox', reason: 'slow replay to cancel', velocity: 4 } });
    const { id } = (await res.json()) as { id: string };
    await until(async () => ((await (await req(api, 'GET', `/api/v1/replays/${id}`, { token: operator })).json()) as { done: number }).done > 0, 'the first message out');
    const cancel = await req(api, 'DELETE', `/api/v1/replays/${id}?reason=wrong%20selection`, { token: operator });
    expect(cancel.status).toBe(200);
    const after = (await cancel.json()) as { state: string; done: number };
    expect(after.state).toBe('cancelled');
    expect(after.done).toBeLessThan(30);
    expect((await req(api, 'DELETE', `/api/v1/replays/${id}?reason=again%20please`, { token: operator })).status).toBe(409);
    const rows = await h.store.query<{ action: string; outcome: string }>("SELECT action, outcome FROM audit_log WHERE target = {t:String} OR (action = 'replay.start' AND outcome = 'cancelled') ORDER BY at", { t: `replay:${id}` });
    expect(rows.map((r) => `${r.action}/${r.outcome}`)).toEqual(expect.arrayContaining(['replay.cancel/accepted', 'replay.start/cancelled', 'replay.cancel/done']));
    const list = (await (await req(api, 'GET', '/api/v1/replays?limit=2', { token: operator })).json()) as { items: { id: string }[]; nextCursor: string | null };
    expect(list.items[0]?.id).toBe(id);
    expect(list.nextCursor).not.toBeNull();
  });

  it('refuses to rewind a group on a broker that cannot resolve times (501 BROKER_UNSUPPORTED), and audits it', async () => {
    const res = await req(api, 'POST', `/api/v1/consumer-groups/${group}/rewind`, { token: operator, body: { to: new Date(started).toISOString(), reason: 'reprocess the morning', dryRun: true } });
    expect(res.status).toBe(501);
    const p = (await res.json()) as { code: string; detail: string };
    expect(p.code).toBe('BROKER_UNSUPPORTED');
    expect(p.detail).toMatch(/end offset/);
    const rows = await h.store.query<{ outcome: string }>("SELECT outcome FROM audit_log WHERE action = 'consumer-group.rewind' AND target = {t:String}", { t: `group:${group}` });
    expect(rows.map((r) => r.outcome)).toEqual(['rejected']);
  });
});
