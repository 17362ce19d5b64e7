import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLogger } from '@switchyard/telemetry/log';
import { openTestStore, type TestStore } from '../lag/test-store';
import { discoverQueues, startQueueCollector, JOB_STATES } from './collector';
import { deleteKeys, eventually } from '@switchyard/bus/testing';

const url = new URL(inject('redisUrl'));
const connection = { host: url.hostname, port: Number(url.port || 6379) };
const prefix = `sy-t-${randomUUID()}`;
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

describe('queues collector', () => {
  it('records counts equal to BullMQ getJobCounts and job events with wait and processing times', async () => {
    const name = `q-${randomUUID()}`;
    const queue = new Queue(name, { connection, prefix });
    await queue.waitUntilReady();
    const collector = await startQueueCollector({ connection, store: ts.store, prefix, autoStart: false, logger: createLogger('q.test', () => {}) });
    try {
      // Discovery by the `<prefix>:<queue>:meta` key, not by configuration.
      await queue.add('noop', { orderId: 'warm' }, { delay: 60_000 });
      expect(await discoverQueues(redis, prefix)).toContain(name);
      await collector.sweep();
      expect(collector.queues()).toContain(name);

      await queue.add('ok', { orderId: 'order-ok-1' });
      await queue.add('ok', { orderId: 'order-ok-2' });
      await queue.add('boom', { orderId: 'order-bad' }, { attempts: 2 });
      await queue.add('later', {}, { delay: 60_000 });
      const worker = new Worker(
        name,
        async (job) => {
          await sleep(60);
          if (job.name === 'boom') throw new Error(`payment provider said no (attempt ${job.attemptsMade + 1})`);
          return 'done';
        },
        { connection, prefix },
      );
      await eventually(async () => {
        const c = await queue.getJobCounts('completed', 'failed');
        return c.completed === 2 && c.failed === 1;
      }, 'jobs to finish');
      await worker.close();

      const r = await collector.sweep();
      expect(r.write.ok).toBe(true);
      const own = { ...(await queue.getJobCounts(...JOB_STATES)), paused: 0 };
      expect(r.counts[name]).toEqual(own);
      const stored = await ts.store.query<{ state: string; count: string }>(
        'SELECT state, count FROM queue_depth WHERE queue = {q:String} AND ts = (SELECT max(ts) FROM queue_depth WHERE queue = {q:String})',
        { q: name },
      );
      expect(Object.fromEntries(stored.map((s) => [s.state, Number(s.count)]))).toEqual(own);
      expect(own).toMatchObject({ completed: 2, failed: 1, delayed: 2 });

      type Ev = { event: string; job_id: string; attempts: number; wait_ms: string | null; processing_ms: string | null; failed_reason: string; order_id: string };
      const events = await eventually(async () => {
        await collector.flush();
        const rows = await ts.store.query<Ev>(
          'SELECT event, job_id, attempts, wait_ms, processing_ms, failed_reason, order_id FROM queue_job_events WHERE queue = {q:String} ORDER BY ts',
          { q: name },
        );
        return rows.filter((e) => e.event === 'completed').length === 2 && rows.some((e) => e.event === 'retries-exhausted') ? rows : undefined;
      }, 'job events stored');
      const completed = events.filter((e) => e.event === 'completed');
      expect(completed.map((e) => e.order_id).sort()).toEqual(['order-ok-1', 'order-ok-2']);
      for (const e of completed) {
        expect(Number(e.processing_ms)).toBeGreaterThanOrEqual(60);
        expect(Number(e.wait_ms)).toBeGreaterThanOrEqual(0);
        expect(e.attempts).toBe(1);
      }
      const failed = events.filter((e) => e.event === 'failed');
      expect(failed).toHaveLength(1);
      expect(failed[0]).toMatchObject({ order_id: 'order-bad', attempts: 2, failed_reason: 'payment provider said no (attempt 2)' });
      expect(Number(failed[0]!.processing_ms)).toBeGreaterThanOrEqual(60);
      // The first failed attempt went back to waiting: recorded as a retry.
      expect(events.filter((e) => e.event === 'retried')).toMatchObject([{ order_id: 'order-bad', attempts: 1, failed_reason: 'payment provider said no (attempt 1)' }]);
      // Four adds after the collector started watching (the first job was added before the queue was discovered).
      expect(events.filter((e) => e.event === 'added').length).toBe(4);

      const rate = await ts.store.query<{ queue: string; retries: string; finished: string; retry_rate: number }>(
        (await import('node:fs')).readFileSync(new URL('./retry-rate.sql', import.meta.url), 'utf8'),
        { from: new Date(Date.now() - 3_600_000), to: new Date(Date.now() + 60_000), queues: [name] },
      );
      expect(rate).toEqual([{ queue: name, retries: '1', finished: '3', retry_rate: 1 / 3 }]);

      // A paused queue reports its waiting jobs as paused too.
      await queue.pause();
      await queue.add('held', {});
      const p = await collector.sweep();
      expect(p.counts[name]).toMatchObject({ waiting: 1, paused: 1 });
    } finally {
      await collector.stop();
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });
});
