import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Queue, Worker } from 'bullmq';
import { Kafka, logLevel } from 'kafkajs';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { HEADERS } from '@switchyard/bus/types';
import { createLogger } from '@switchyard/telemetry/log';
import { startTap } from '../tap/tap';
import { openTestStore, type TestStore } from '../lag/test-store';
import { startDlqCollector } from './collector';
import { searchDeadLetters } from './search';
import { deleteKeys, eventually } from '@switchyard/bus/testing';

const kafka = new Kafka({ clientId: 'dlq-test', brokers: inject('kafkaBrokers').split(','), logLevel: logLevel.NOTHING });
const url = new URL(inject('redisUrl'));
const connection = { host: url.hostname, port: Number(url.port || 6379) };
const prefix = `sy-t-${randomUUID()}`;
const quiet = createLogger('dlq.test', () => {});
let ts: TestStore;
let redis: Redis;

beforeAll(async () => {
  ts = await openTestStore();
  redis = new Redis(connection);
});
afterAll(async () => {
  await deleteKeys(redis, `${prefix}:`);
  redis.disconnect();
  await ts.close();
});

describe('dlq collector', () => {
  it('collects Kafka dead letters (through the tap) and failed BullMQ jobs, searchable by order id and error text', async () => {
    const group = `pay-${randomUUID().slice(0, 8)}`;
    const origin = `orders-${randomUUID().slice(0, 8)}`;
    const orderId = `order-${randomUUID()}`;
    const first = Date.now() - 5000;
    const producer = kafka.producer();
    await producer.connect();
    const headers = (attempt: number, offset: string): Record<string, string> => ({
      [HEADERS.eventType]: 'OrderCreated', [HEADERS.orderId]: orderId, [HEADERS.errorClass]: 'SchemaError',
      [HEADERS.errorMessage]: 'unknown payload version 9', [HEADERS.attempt]: String(attempt), [HEADERS.originalTopic]: origin,
      [HEADERS.originalPartition]: '2', [HEADERS.originalOffset]: offset, [HEADERS.group]: group,
      [HEADERS.firstFailureAt]: String(first), [HEADERS.lastFailureAt]: String(first + 1500),
    });
    await producer.send({ topic: `${group}.dlq`, messages: [{ key: orderId, value: '{"v":9}', headers: headers(4, '41') }] });
    // Retry traffic for the group retry rate: two messages of the origin topic, one of them retried twice.
    await producer.send({ topic: origin, messages: [{ key: 'a', value: '1' }, { key: 'b', value: '2' }] });
    await producer.send({ topic: `${group}.retry`, messages: [{ key: 'a', value: '1', headers: headers(2, '7') }, { key: 'a', value: '1', headers: headers(3, '7') }] });
    await producer.disconnect();

    const tap = await startTap({ kafka, store: ts.store, topics: [`${group}.dlq`, `${group}.retry`, origin], groupId: `tap-${randomUUID()}`, logger: quiet, sessionTimeout: 6000 });
    try {
      await eventually(async () => {
        const [r] = await ts.store.query<{ n: string }>('SELECT count() AS n FROM events WHERE topic IN ({t:Array(String)})', { t: [`${group}.dlq`, `${group}.retry`, origin] });
        return Number(r?.n) === 5;
      }, 'tap rows');
    } finally {
      await tap.stop();
    }

    // A BullMQ job that exhausts its attempts.
    const qname = `notify-${randomUUID().slice(0, 8)}`;
    const queue = new Queue(qname, { connection, prefix });
    const bullOrder = `order-${randomUUID()}`;
    await queue.add('sms', { orderId: bullOrder, type: 'CustomerNotified' }, { attempts: 2 });
    const worker = new Worker(qname, async () => {
      throw new TypeError('sms provider unreachable: ETIMEDOUT');
    }, { connection, prefix });
    await eventually(async () => (await queue.getJobCounts('failed')).failed === 1, 'job failed');
    await worker.close();

    const dlq = await startDlqCollector({ store: ts.store, connection, prefix, autoStart: false, logger: quiet });
    try {
      const r = await dlq.sweep();
      expect(r.write.ok).toBe(true);
      expect(r.failedJobs).toBe(1);
      // Idempotent: a second sweep rewrites nothing and the table still has one entry per dead letter.
      expect((await dlq.sweep()).failedJobs).toBe(0);

      const byOrder = await searchDeadLetters(ts.store, { q: orderId, limit: 10 });
      expect(byOrder.items).toHaveLength(1);
      expect(byOrder.items[0]).toMatchObject({
        id: `kafka:${group}.dlq:${byOrder.items[0]!.partition}:0`, source: 'kafka', topic: `${group}.dlq`, key: orderId, order_id: orderId,
        event_type: 'OrderCreated', error_class: 'SchemaError', error_message: 'unknown payload version 9', origin_topic: origin,
        origin_partition: 2, origin_offset: '41', group, attempts: 4, payload: '{"v":9}', redrive_state: 'none',
      });
      expect(Date.parse(`${byOrder.items[0]!.first_failed_at.replace(' ', 'T')}Z`)).toBe(first);
      expect(Date.parse(`${byOrder.items[0]!.failed_at.replace(' ', 'T')}Z`)).toBe(first + 1500);

      const byText = await searchDeadLetters(ts.store, { q: 'PROVIDER UNREACHABLE', limit: 10 });
      expect(byText.items).toHaveLength(1);
      expect(byText.items[0]).toMatchObject({
        source: 'bullmq', topic: qname, order_id: bullOrder, event_type: 'CustomerNotified', error_class: 'TypeError',
        error_message: 'sms provider unreachable: ETIMEDOUT', attempts: 2,
      });
      expect(JSON.parse(byText.items[0]!.payload)).toEqual({ orderId: bullOrder, type: 'CustomerNotified' });
      expect((await searchDeadLetters(ts.store, { topic: origin, limit: 10 })).items.map((d) => d.id)).toEqual([byOrder.items[0]!.id]);
      expect((await searchDeadLetters(ts.store, { q: 'no such text anywhere', limit: 10 })).items).toEqual([]);

      // Pagination: one per page, newest failure first, no repeats.
      const both = { q: '', limit: 1 } as const;
      const p1 = await searchDeadLetters(ts.store, { ...both, topic: '' });
      const p2 = await searchDeadLetters(ts.store, { ...both, cursor: p1.nextCursor! });
      expect(new Set([p1.items[0]!.id, p2.items[0]!.id]).size).toBe(2);
      expect(p1.items[0]!.failed_at >= p2.items[0]!.failed_at).toBe(true);

      // A redriven job that fails again is marked failed-again.
      const id = byText.items[0]!.id;
      const [row] = await ts.store.query<Record<string, unknown>>('SELECT * FROM dead_letters FINAL WHERE id = {id:String}', { id });
      await ts.store.insert('dead_letters', [{ ...row, redrive_state: 'redriven', redriven_at: new Date(Date.now() - 1000), version: Date.now() }]);
      const [job] = await queue.getFailed();
      await job!.retry();
      const again = new Worker(qname, async () => {
        throw new TypeError('sms provider unreachable: ETIMEDOUT');
      }, { connection, prefix });
      await eventually(async () => (await queue.getJobCounts('failed')).failed === 1, 'job failed again');
      await again.close();
      expect((await dlq.sweep()).failedAgain).toBe(1);
      const after = await searchDeadLetters(ts.store, { topic: qname, limit: 10 });
      expect(after.items.map((d) => d.redrive_state)).toEqual(['failed-again']);

      // Group retry rate from the tap's events: 1 of the 2 origin messages needed retries (twice).
      const rate = await ts.store.query(readFileSync(new URL('../queues/group-retry-rate.sql', import.meta.url), 'utf8'), {
        from: new Date(Date.now() - 3_600_000), to: new Date(Date.now() + 60_000), groups: [group],
      });
      expect(rate).toEqual([{ group, retries: '2', messages_retried: '1', messages: '2', retry_rate: 0.5 }]);
    } finally {
      await dlq.stop();
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });
});
