/**
 * Run-time control through the control channel (pause, resume, maximum rate) and graceful shutdown, against the
 * mock cluster and real Redis.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { createLogger } from '@switchyard/telemetry/log';
import { createBus } from './bus';
import type { KafkaBus } from './bus';
import { effectiveControl, readControl, TokenBucket, writeControl } from './control';
import { deleteKeys, orderCreated, testEnv, testRedis, uniquePrefix, waitFor } from './testing';

const { brokers } = testEnv();
const prefix = uniquePrefix();
let redis: Redis;
let bus: KafkaBus;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

beforeAll(() => {
  redis = testRedis();
  bus = createBus({
    brokers,
    clientId: 'bus-control-test',
    redis,
    config: { maxAttempts: 3, retryBackoffMs: 50, idempotencyTtlSeconds: 60, topicPrefix: prefix },
    tracerService: 'control-test',
    logger: createLogger('bus', () => {}),
  });
});

afterAll(async () => {
  await bus.close();
  await deleteKeys(redis, bus.keyPrefix);
  await redis.quit();
});

describe('control state', () => {
  it('lapses at expiresAt', () => {
    const s = { paused: true, maxRate: 5, expiresAt: 1000 };
    expect(effectiveControl(s, 999)).toBe(s);
    expect(effectiveControl(s, 1000)).toEqual({ paused: false, maxRate: null, expiresAt: null });
    expect(effectiveControl(null, 0)).toEqual({ paused: false, maxRate: null, expiresAt: null });
  });

  it('round-trips through Redis and clears', async () => {
    await writeControl(redis, 'queue', 'q1', { paused: false, maxRate: 3, expiresAt: null }, bus.keyPrefix);
    expect(await readControl(redis, 'queue', 'q1', bus.keyPrefix)).toEqual({ paused: false, maxRate: 3, expiresAt: null });
    await writeControl(redis, 'queue', 'q1', null, bus.keyPrefix);
    expect(await readControl(redis, 'queue', 'q1', bus.keyPrefix)).toBeNull();
  });

  it('a token bucket admits the rate with a small burst', () => {
    let t = 0;
    const b = new TokenBucket({ now: () => t });
    let admitted = 0;
    for (; t <= 10_000; t += 5) if (b.take(20) === 0) admitted++;
    expect(admitted).toBeGreaterThanOrEqual(199);
    expect(admitted).toBeLessThanOrEqual(203);
  });
});

// Each test owns its topic and group; side by side, the mock cluster's 3 s group joins overlap.
describe.concurrent('consumers under control', () => {
  it('pause through the control channel stops consumption within 2 s; resume restarts it', async () => {
    const group = `${prefix}.pausable`;
    const handled: string[] = [];
    const c = await bus.consume({ group: 'pausable', topics: ['ctl-a'], handle: async (e) => void handled.push(e.id) });
    await bus.publish('ctl-a', orderCreated());
    await waitFor(() => handled.length === 1, 'the first event');

    await writeControl(redis, 'group', group, { paused: true, maxRate: null, expiresAt: null }, bus.keyPrefix);
    await waitFor(() => c.control().paused, 'the pause to arrive', 2000);
    const before = handled.length;
    for (let i = 0; i < 5; i++) await bus.publish('ctl-a', orderCreated());
    await sleep(1500);
    expect(handled.length).toBe(before);

    await writeControl(redis, 'group', group, null, bus.keyPrefix);
    await waitFor(() => !c.control().paused, 'the resume to arrive', 2000);
    await waitFor(() => handled.length === before + 5, 'the held events after resume');
    await c.stop();
  });

  it('a lapsed pause (expiresAt in the past) does not hold anything', async () => {
    const group = `${prefix}.lapsed`;
    await writeControl(redis, 'group', group, { paused: true, maxRate: 1, expiresAt: Date.now() - 1 }, bus.keyPrefix);
    const handled: string[] = [];
    const c = await bus.consume({ group: 'lapsed', topics: ['ctl-b'], handle: async (e) => void handled.push(e.id) });
    for (let i = 0; i < 10; i++) await bus.publish('ctl-b', orderCreated());
    await waitFor(() => handled.length === 10, 'ten events at full speed');
    expect(c.control()).toEqual({ paused: false, maxRate: null, expiresAt: null });
    await c.stop();
  });

  it('a maximum rate holds consumption near the limit', async () => {
    const group = `${prefix}.limited`;
    await bus.publishMany('ctl-c', Array.from({ length: 300 }, () => orderCreated()));
    await writeControl(redis, 'group', group, { paused: false, maxRate: 20, expiresAt: Date.now() + 60_000 }, bus.keyPrefix);
    const times: number[] = [];
    const c = await bus.consume({ group: 'limited', topics: ['ctl-c'], handle: async () => void times.push(Date.now()) });
    await waitFor(() => times.length > 0, 'the first event');
    await sleep(3000);
    const first = times[0]!;
    const inWindow = times.filter((t) => t < first + 3000).length;
    // 20/s over 3 s is 60; loose bounds for a shared machine.
    expect(inWindow).toBeGreaterThanOrEqual(40);
    expect(inWindow).toBeLessThanOrEqual(80);
    expect(bus.stats()[group]!.throttledMs).toBeGreaterThan(1000);
    // Lifting the limit lets the rest through.
    await writeControl(redis, 'group', group, null, bus.keyPrefix);
    await waitFor(() => times.length === 300, 'the rest at full speed');
    await c.stop();
  });

  it('a graceful stop mid-stream then a restart processes every message exactly once', async () => {
    const group = `${prefix}.restartable`;
    const events = Array.from({ length: 400 }, (_, i) => orderCreated(`ord-r-${i % 25}`));
    await bus.publishMany('ctl-d', events);
    const calls: string[] = [];
    const handle = async (e: { id: string }): Promise<void> => {
      calls.push(e.id);
      await sleep(1);
    };
    const first = await bus.consume({ group: 'restartable', topics: ['ctl-d'], handle, sessionTimeoutMs: 6000 });
    await waitFor(() => calls.length >= 100, 'a hundred events');
    await first.stop();
    const atStop = calls.length;
    expect(atStop).toBeLessThan(400);
    const second = await bus.consume({ group: 'restartable', topics: ['ctl-d'], handle, sessionTimeoutMs: 6000 });
    await waitFor(() => new Set(calls).size === 400, 'every event');
    await sleep(500);
    await second.stop();
    // Handler calls, not the idempotency store, are counted: nothing redelivered, nothing missing.
    expect(calls.length).toBe(400);
    expect(new Set(calls)).toEqual(new Set(events.map((e) => e.id)));
    expect(bus.stats()[group]).toMatchObject({ consumed: 400, processed: 400, duplicatesSkipped: 0 });
  });
});
