/**
 * Failure paths against the mock cluster and real Redis: retry topics with backoff, the dead-letter topic and its
 * headers, schema-invalid payloads, and idempotency by event id.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import type { Producer } from 'kafkajs';
import type { Redis } from 'ioredis';
import { createLogger } from '@switchyard/telemetry/log';
import { createBus } from './bus';
import type { KafkaBus } from './bus';
import { collect, deleteKeys, orderCreated, testEnv, testRedis, uniquePrefix, waitFor } from './testing';
import { HEADERS, PermanentError } from './types';

const { brokers } = testEnv();
const prefix = uniquePrefix();
let redis: Redis;
let bus: KafkaBus;
let raw: Producer;
const TP = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

beforeAll(async () => {
  redis = testRedis();
  bus = createBus({
    brokers,
    clientId: 'bus-fail-test',
    redis,
    config: { maxAttempts: 3, retryBackoffMs: 50, idempotencyTtlSeconds: 60, topicPrefix: prefix },
    tracerService: 'fail-test',
    logger: createLogger('bus', () => {}),
  });
  raw = new Kafka({ clientId: 'raw', brokers, logLevel: logLevel.NOTHING }).producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await raw.connect();
});

afterAll(async () => {
  await raw.disconnect();
  await bus.close();
  await deleteKeys(redis, bus.keyPrefix);
  await redis.quit();
});

// Every test owns its topic and group; they run side by side, so the mock cluster's 3 s group join overlaps.
describe.concurrent('retry and dead letters', () => {
  it('retries with backoff through the retry topic, then dead-letters with every header after maxAttempts', async () => {
    const event = orderCreated();
    const attempts: { attempt: number; at: number; topic: string }[] = [];
    const c = await bus.consume({
      group: 'always-fails',
      topics: ['fail-a'],
      handle: async (_e, ctx) => {
        attempts.push({ attempt: ctx.attempt, at: Date.now(), topic: ctx.topic });
        throw new TypeError('boom: cannot read the thing');
      },
    });
    const publishedAt = Date.now();
    await bus.publish('fail-a', event);
    const dlq = await collect(brokers, [`${prefix}.always-fails.dlq`]);
    await waitFor(() => dlq.messages.length === 1, 'one dead letter');
    await c.stop();
    await dlq.stop();
    expect(attempts.map((a) => a.attempt)).toEqual([1, 2, 3]);
    expect(attempts.map((a) => a.topic)).toEqual([`${prefix}.fail-a`, `${prefix}.always-fails.retry`, `${prefix}.always-fails.retry`]);
    // Backoff: attempt n waits at least base * 2^(n-1) after the failure before it.
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(50);
    expect(attempts[2]!.at - attempts[1]!.at).toBeGreaterThanOrEqual(100);

    const dead = dlq.messages[0]!;
    expect(dead.key).toBe(event.orderId);
    expect(JSON.parse(dead.value ?? '')).toEqual(event);
    const h = dead.headers;
    expect(h[HEADERS.errorClass]).toBe('TypeError');
    expect(h[HEADERS.errorMessage]).toBe('boom: cannot read the thing');
    expect(h[HEADERS.errorCode]).toBe('ERROR');
    expect(h[HEADERS.attempt]).toBe('3');
    expect(h[HEADERS.originalTopic]).toBe(`${prefix}.fail-a`);
    expect(h[HEADERS.originalPartition]).toMatch(/^[0-3]$/);
    expect(h[HEADERS.originalOffset]).toBe('0');
    expect(h[HEADERS.group]).toBe(`${prefix}.always-fails`);
    const first = Number(h[HEADERS.firstFailureAt]);
    const last = Number(h[HEADERS.lastFailureAt]);
    expect(first).toBeGreaterThanOrEqual(publishedAt);
    expect(last - first).toBeGreaterThanOrEqual(150);
    expect(h[HEADERS.notBefore]).toBeUndefined();
    expect(h[HEADERS.eventId]).toBe(event.id);
    expect(bus.stats()[`${prefix}.always-fails`]).toMatchObject({ failed: 3, retried: 2, deadLettered: 1, processed: 0 });
  });

  it('a handler failing twice then succeeding processes the event once', async () => {
    const event = orderCreated();
    let calls = 0;
    const done: number[] = [];
    const c = await bus.consume({
      group: 'flaky',
      topics: ['fail-b'],
      handle: async (_e, ctx) => {
        calls++;
        if (ctx.attempt < 3) throw new Error(`flaky ${ctx.attempt}`);
        done.push(ctx.attempt);
      },
    });
    await bus.publish('fail-b', event);
    await waitFor(() => done.length === 1, 'the third attempt');
    // Give a stray duplicate the chance to show up before stopping.
    await new Promise((r) => setTimeout(r, 500));
    await c.stop();
    expect(calls).toBe(3);
    expect(done).toEqual([3]);
    expect(await redis.get(`${bus.keyPrefix}idem:${prefix}.flaky:${event.id}`)).toBe('done');
    expect(bus.stats()[`${prefix}.flaky`]).toMatchObject({ processed: 1, retried: 2, deadLettered: 0 });
  });

  it('a delayed retry holds only its retry partition, never the main topic', async () => {
    const poison = orderCreated();
    const log: { id: string; attempt: number; at: number }[] = [];
    const c = await bus.consume({
      group: 'slow-retry',
      topics: ['fail-f'],
      backoffMs: 2500,
      handle: async (e, ctx) => {
        log.push({ id: e.id, attempt: ctx.attempt, at: Date.now() });
        if (e.id === poison.id && ctx.attempt === 1) throw new Error('first try fails');
      },
    });
    await bus.publish('fail-f', poison);
    await waitFor(() => log.length === 1, 'the first attempt');
    const good = Array.from({ length: 20 }, () => orderCreated());
    await bus.publishMany('fail-f', good);
    await waitFor(() => log.length === 22, 'the good events and the retry');
    await c.stop();
    const retry = log.find((l) => l.id === poison.id && l.attempt === 2)!;
    expect(retry.at - log[0]!.at).toBeGreaterThanOrEqual(2500);
    // Every good event was handled while the retry was still waiting.
    for (const g of good) expect(log.find((l) => l.id === g.id)!.at).toBeLessThan(retry.at);
  });

  it('a PermanentError skips the retries', async () => {
    let calls = 0;
    const c = await bus.consume({
      group: 'permanent',
      topics: ['fail-c'],
      handle: async () => {
        calls++;
        throw new PermanentError('card number is malformed', 'CARD_MALFORMED');
      },
    });
    await bus.publish('fail-c', orderCreated());
    const dlq = await collect(brokers, [`${prefix}.permanent.dlq`]);
    await waitFor(() => dlq.messages.length === 1, 'one dead letter');
    await c.stop();
    await dlq.stop();
    expect(calls).toBe(1);
    expect(dlq.messages[0]!.headers).toMatchObject({ [HEADERS.errorClass]: 'PermanentError', [HEADERS.errorCode]: 'CARD_MALFORMED', [HEADERS.attempt]: '1' });
  });

  it('sends a schema-invalid payload straight to the DLQ with the reason', async () => {
    const good = orderCreated();
    const bad = { ...orderCreated(), data: { ...(orderCreated().data as object), orderTotal: 'lots' } };
    await raw.send({ topic: `${prefix}.fail-d`, messages: [{ key: bad.orderId, value: JSON.stringify(bad) }, { key: 'x', value: 'not json at all', headers: { traceparent: TP } }] });
    await bus.publish('fail-d', good);
    const handled: string[] = [];
    const c = await bus.consume({ group: 'strict', topics: ['fail-d'], handle: async (e) => void handled.push(e.id) });
    const dlq = await collect(brokers, [`${prefix}.strict.dlq`]);
    await waitFor(() => dlq.messages.length === 2 && handled.length === 1, 'two dead letters and one handled');
    await c.stop();
    await dlq.stop();
    expect(handled).toEqual([good.id]);
    const byKey = new Map(dlq.messages.map((m) => [m.key, m.headers]));
    expect(byKey.get(bad.orderId)).toMatchObject({ [HEADERS.errorClass]: 'ContractError', [HEADERS.errorCode]: 'CONTRACT_INVALID_PAYLOAD', [HEADERS.attempt]: '1' });
    expect(byKey.get(bad.orderId)![HEADERS.errorMessage]).toContain('data.orderTotal');
    expect(byKey.get('x')).toMatchObject({ [HEADERS.errorCode]: 'CONTRACT_INVALID_JSON', [HEADERS.originalTopic]: `${prefix}.fail-d` });
    // No tracing SDK in this file: the producer's trace context still passes through to the dead letter.
    expect(byKey.get('x')!.traceparent?.slice(0, 36)).toBe(TP.slice(0, 36));
    expect(bus.stats()[`${prefix}.strict`]).toMatchObject({ invalid: 2, deadLettered: 2, processed: 1, retried: 0 });
  });

  it('a duplicated delivery of the same event id has its effect once', async () => {
    const event = orderCreated();
    const effects: string[] = [];
    await bus.publish('fail-e', event);
    await bus.publish('fail-e', event);
    await bus.publish('fail-e', { ...event }, { [HEADERS.replay]: 'replay-1' });
    const c = await bus.consume({ group: 'idem', topics: ['fail-e'], handle: async (e) => void effects.push(e.id) });
    await waitFor(() => (bus.stats()[`${prefix}.idem`]?.consumed ?? 0) === 3, 'three deliveries');
    await c.stop();
    expect(effects).toEqual([event.id]);
    expect(bus.stats()[`${prefix}.idem`]).toMatchObject({ processed: 1, duplicatesSkipped: 2 });
  });
});
