/**
 * Redrive end to end: dead letters made by a real failing consumer, archived by the tap and materialised by the dlq
 * collector, go back to their origin each at most once (also when the request is repeated), at the set velocity;
 * what fails again is reported; failed BullMQ jobs go back to waiting.
 */
import { randomUUID } from 'node:crypto';
import { Queue, Worker, type Job } from 'bullmq';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { KafkaBus } from '@switchyard/bus';
import { deadLetterTopic, PermanentError, type Consumer } from '@switchyard/bus/types';
import { failedJobRow, startDlqCollector, type DlqCollector } from '@switchyard/collectors/dlq';
import { startTap, type Tap } from '@switchyard/collectors/tap';
import type { Envelope } from '@switchyard/contracts';
import type { Api } from '../app';
import { openHarness, req, type Harness } from '../testing';
import { delivered, readTopic, roleTokens, testBus, until, waitForAction } from './testing-actions';

const ADMIN = 'sy_redrive_test_admin_0123456789abcdefghij';
let h: Harness;
let api: Api;
let operator: string;
let bus: KafkaBus;
let consumer: Consumer;
let tap: Tap;
let dlq: DlqCollector;
const topic = `rd-${randomUUID().slice(0, 8)}`;
const group = `rdg-${randomUUID().slice(0, 8)}`;
const dlqTopic = deadLetterTopic(group);
let events: Envelope[] = [];
let entryIds: string[] = [];

const deadLetters = async (): Promise<number> => Number((await h.store.query<{ n: string }>('SELECT count() AS n FROM dead_letters FINAL WHERE topic = {t:String}', { t: dlqTopic }))[0]?.n);

beforeAll(async () => {
  const brokers = inject('kafkaBrokers');
  h = await openHarness(brokers, inject('redisUrl'));
  api = h.api({ adminToken: ADMIN, api: { kafkaTimeoutMs: 5000, actionRateLimit: 100 } });
  await api.start();
  ({ operator } = await roleTokens(api, ADMIN));
  bus = testBus(h, brokers);
  events = Array.from({ length: 50 }, () => delivered());
  await bus.publishMany(topic, events);
  consumer = await bus.consume({
    group,
    topics: [topic],
    sessionTimeoutMs: 6000,
    handle: async (e) => {
      if (!(await h.redis.sismember(`${h.prefix}fixed`, e.orderId))) throw new PermanentError('the loyalty account is locked', 'ACCOUNT_LOCKED');
      await h.redis.incr(`${h.prefix}credited`);
    },
  });
  await until(() => (bus.stats()[group]?.deadLettered ?? 0) >= 50, 'every event to be dead-lettered');
  tap = await startTap({ kafka: h.kafka, store: h.store, topics: [dlqTopic], groupId: `tap-${randomUUID()}`, sessionTimeout: 6000, writer: { maxRows: 100, flushIntervalMs: 100 } });
  dlq = await startDlqCollector({ store: h.store, autoStart: false, overlapMs: 600_000 });
  await until(async () => (await dlq.sweep(), (await deadLetters()) === 50), 'the dead letters to be collected');
  entryIds = (await h.store.query<{ id: string }>('SELECT id FROM dead_letters FINAL WHERE topic = {t:String}', { t: dlqTopic })).map((r) => r.id);
  // The fix: 45 of the 50 accounts unlocked; 5 will fail again.
  await h.redis.sadd(`${h.prefix}fixed`, ...events.slice(0, 45).map((e) => e.orderId));
});

afterAll(async () => {
  await tap?.stop();
  await dlq?.stop();
  await consumer?.stop();
  await bus?.close();
  await api?.stop();
  await h?.close();
});

describe('redrive', () => {
  let id = '';

  it('previews what it would move', async () => {
    const res = await req(api, 'POST', '/api/v1/redrives', { token: operator, body: { filter: { topic: dlqTopic }, ids: [...entryIds, 'kafka:nope:0:1'], velocity: 25, reason: 'accounts unlocked', dryRun: true } });
    expect(res.status).toBe(200);
    const p = (await res.json()) as { matched: number; alreadyRedriven: number; byOrigin: { origin: string; count: number }[]; notFound: string[]; estimatedSeconds: number };
    expect(p).toMatchObject({ matched: 50, alreadyRedriven: 0, notFound: ['kafka:nope:0:1'], estimatedSeconds: 2 });
    expect(p.byOrigin).toEqual([{ origin: topic, count: 50 }]);
  });

  it('moves each dead letter back once, at the set velocity; a repeated request with the same key is the same redrive', async () => {
    const key = randomUUID();
    const body = { filter: { topic: dlqTopic }, velocity: 25, reason: 'accounts unlocked' };
    const first = await req(api, 'POST', '/api/v1/redrives', { token: operator, body, headers: { 'Idempotency-Key': key } });
    expect(first.status).toBe(202);
    id = ((await first.json()) as { id: string }).id;
    const again = await req(api, 'POST', '/api/v1/redrives', { token: operator, body, headers: { 'Idempotency-Key': key } });
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(((await again.json()) as { id: string }).id).toBe(id);
    expect(await waitForAction(api, operator, `/api/v1/redrives/${id}`)).toMatchObject({ state: 'done', matched: 50, done: 50, skipped: 0, failed: 0 });

    const mine = (await readTopic(h.kafka, topic, (m) => m.filter((x) => x.headers['sy-redrive-id'] === id).length >= 50)).filter((m) => m.headers['sy-redrive-id'] === id);
    expect(mine).toHaveLength(50);
    expect(new Set(mine.map((m) => m.headers['sy-event-id']))).toEqual(new Set(events.map((e) => e.id)));
    expect(mine.some((m) => Object.keys(m.headers).some((k) => k.startsWith('sy-error') || k === 'sy-attempt' || k.startsWith('sy-original')))).toBe(false);
    // Velocity (an outcome bound of the feature): 50 messages at 25/s leave over 49 intervals of 40 ms, 1.96 s; within 10 %.
    const stamps = mine.map((m) => m.timestamp);
    const span = (Math.max(...stamps) - Math.min(...stamps)) / 1000;
    expect(Math.abs(span - 49 / 25) / (49 / 25), `50 at 25/s took ${span} s`).toBeLessThan(0.1);
    const audit = await h.store.query<{ outcome: string }>("SELECT outcome FROM audit_log WHERE action = 'redrive.start' AND selection LIKE {l:String} ORDER BY at", { l: `%"actionId":"${id}"%` });
    expect(audit.map((r) => r.outcome)).toEqual(['accepted', 'done']);
  });

  it('reports what failed again; it stays in the dead-letter path', async () => {
    await until(async () => Number(await h.redis.get(`${h.prefix}credited`)) === 45 && (bus.stats()[group]?.deadLettered ?? 0) >= 55, 'the consumer to handle the redriven messages');
    await until(async () => (await dlq.sweep(), (await deadLetters()) === 55), 'the new dead letters to be collected');
    const view = (await (await req(api, 'GET', `/api/v1/redrives/${id}`, { token: operator })).json()) as { failedAgain: number; failedAgainIds: { id: string; eventId: string }[] };
    expect(view.failedAgain).toBe(5);
    expect(new Set(view.failedAgainIds.map((f) => f.eventId))).toEqual(new Set(events.slice(45).map((e) => e.id)));
    const list = (await (await req(api, 'GET', `/api/v1/dlq?topic=${dlqTopic}&limit=100`, { token: operator })).json()) as { items: { id: string; redriveState: string }[] };
    expect(list.items.filter((i) => entryIds.includes(i.id)).every((i) => i.redriveState === 'redriven')).toBe(true);
    expect(list.items.filter((i) => !entryIds.includes(i.id)).map((i) => i.redriveState)).toEqual(['none', 'none', 'none', 'none', 'none']);
  });

  it('a second redrive of the same entries with a new key skips them all and moves nothing', async () => {
    const before = Number(await h.redis.get(`${h.prefix}credited`));
    const res = await req(api, 'POST', '/api/v1/redrives', { token: operator, body: { ids: entryIds, velocity: 1000, reason: 'try once more' }, headers: { 'Idempotency-Key': randomUUID() } });
    expect(res.status).toBe(202);
    const second = ((await res.json()) as { id: string }).id;
    expect(second).not.toBe(id);
    expect(await waitForAction(api, operator, `/api/v1/redrives/${second}`)).toMatchObject({ state: 'done', matched: 50, done: 0, skipped: 50 });
    const items = await h.store.query<{ state: string; n: string }>('SELECT state, count() AS n FROM redrive_items WHERE redrive_id = {r:String} GROUP BY state', { r: second });
    expect(items).toEqual([{ state: 'skipped', n: '50' }]);
    expect(Number(await h.redis.get(`${h.prefix}credited`))).toBe(before);
  });

  it('puts a failed BullMQ job back to waiting', async () => {
    const name = `q-${randomUUID().slice(0, 8)}`;
    const connection = { host: '127.0.0.1', port: 6379, maxRetriesPerRequest: null };
    const queue = new Queue(name, { connection });
    const worker = new Worker(name, async () => { throw new Error('SMS provider down'); }, { connection });
    try {
      const job = await queue.add('notify', { orderId: 'ord-bull-1', type: 'CustomerNotified' }, { attempts: 1 });
      await until(async () => (await job.getState()) === 'failed', 'the job to fail');
      await worker.close();
      const failed = (await queue.getJob(job.id!)) as Job;
      await h.store.insert('dead_letters', [failedJobRow(name, failed)]);
      const res = await req(api, 'POST', '/api/v1/redrives', { token: operator, body: { ids: [`bullmq:${name}:${job.id}`], source: 'bullmq', velocity: 10, reason: 'provider is back' } });
      const rid = ((await res.json()) as { id: string }).id;
      expect(await waitForAction(api, operator, `/api/v1/redrives/${rid}`)).toMatchObject({ state: 'done', done: 1 });
      expect(await job.getState()).toBe('waiting');
    } finally {
      await worker.close();
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });
});
