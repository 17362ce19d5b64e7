/**
 * Produce and consume against the mock cluster and real Redis: keys, headers, partitions, trace context, and the
 * broker-gap fallbacks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import type { Redis } from 'ioredis';
import { SpanKind } from '@opentelemetry/api';
import type { Envelope } from '@switchyard/contracts';
import { createLogger } from '@switchyard/telemetry/log';
import { initTracing } from '@switchyard/telemetry/tracing';
import type { Tracing } from '@switchyard/telemetry/tracing';
import { ensureTopics, resetBrokerGapReports, tryDescribeGroups, tryListGroups } from './admin';
import { createBus } from './bus';
import type { KafkaBus } from './bus';
import { collect, deleteKeys, orderCreated, testEnv, testRedis, uniquePrefix, waitFor } from './testing';
import { HEADERS } from './types';
import type { MessageContext } from './types';

const { brokers } = testEnv();
let redis: Redis;
let tracing: Tracing;
const prefix = uniquePrefix();
let bus: KafkaBus;

beforeAll(() => {
  tracing = initTracing({ serviceName: 'bus-test', exporter: 'memory', processor: 'simple' });
  redis = testRedis();
  bus = createBus({
    brokers,
    clientId: 'bus-test',
    redis,
    config: { maxAttempts: 3, retryBackoffMs: 50, idempotencyTtlSeconds: 60, topicPrefix: prefix },
    tracerService: 'producer-svc',
    logger: createLogger('bus', () => {}),
  });
});

afterAll(async () => {
  await bus.close();
  await deleteKeys(redis, bus.keyPrefix);
  await redis.quit();
  await tracing.shutdown();
});

// Each test owns its topics and group; side by side, the mock cluster's 3 s group joins overlap.
describe.concurrent('publish and consume', () => {
  it('keys by order id, puts envelope metadata and trace context in headers, keeps one order on one partition', async () => {
    const a = 'ord-a-' + prefix;
    const b = 'ord-b-' + prefix;
    const events = [orderCreated(a), orderCreated(b), orderCreated(a), orderCreated(b), orderCreated(a)];
    for (const e of events) await bus.publish('orders', e, { [HEADERS.replay]: 'rp-1' });
    const raw = await collect(brokers, [bus.name('orders')]);
    await waitFor(() => raw.messages.length === 5, 'five raw messages');
    await raw.stop();
    for (const m of raw.messages) {
      const ev = JSON.parse(m.value ?? '') as Envelope;
      expect(m.key).toBe(ev.orderId);
      expect(m.headers[HEADERS.eventId]).toBe(ev.id);
      expect(m.headers[HEADERS.eventType]).toBe('OrderCreated');
      expect(m.headers[HEADERS.eventVersion]).toBe(String(ev.version));
      expect(m.headers[HEADERS.orderId]).toBe(ev.orderId);
      expect(m.headers[HEADERS.correlationId]).toBe(ev.correlationId);
      expect(m.headers[HEADERS.source]).toBe('bus-test');
      expect(Number(m.headers[HEADERS.producedAt])).toBeGreaterThan(0);
      expect(m.headers[HEADERS.replay]).toBe('rp-1');
      expect(m.headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    }
    const partitionsOf = (order: string): Set<number> => new Set(raw.messages.filter((m) => m.key === order).map((m) => m.partition));
    expect(partitionsOf(a).size).toBe(1);
    expect(partitionsOf(b).size).toBe(1);

    // A consumer sees the same events, in order within each order, with its context.
    const seen: { event: Envelope; ctx: MessageContext }[] = [];
    const c = await bus.consume({ group: 'reader', topics: ['orders'], handle: async (event, ctx) => void seen.push({ event, ctx }) });
    await waitFor(() => seen.length === 5, 'five handled events');
    await c.stop();
    expect(seen.filter((s) => s.event.orderId === a).map((s) => s.event.id)).toEqual(events.filter((e) => e.orderId === a).map((e) => e.id));
    for (const s of seen) {
      expect(s.ctx.topic).toBe(`${prefix}.orders`);
      expect(s.ctx.attempt).toBe(1);
      expect(s.ctx.headers[HEADERS.eventId]).toBe(s.event.id);
    }
    expect(bus.stats()[`${prefix}.reader`]).toMatchObject({ consumed: 5, processed: 5, retried: 0, deadLettered: 0, duplicatesSkipped: 0 });
  });

  it('links the consume span to the produce span through the headers, and emits with causation', async () => {
    const memory = tracing.memory!;
    memory.reset();
    const event = orderCreated();
    await bus.publish('traced', event);
    let emitted: Envelope | undefined;
    const c = await bus.consume({
      group: 'tracer',
      topics: ['traced'],
      service: 'consumer-svc',
      handle: async (e, ctx) => {
        if (e.id === event.id) emitted = await ctx.emit('traced-out', 'OrderCreated', e.data);
      },
    });
    await waitFor(() => emitted !== undefined, 'the handled event');
    await c.stop();
    await tracing.flush();
    const spans = memory.getFinishedSpans();
    const send = spans.find((s) => s.name === `send ${prefix}.traced`);
    const proc = spans.find((s) => s.name === `process ${prefix}.traced`);
    const sendOut = spans.find((s) => s.name === `send ${prefix}.traced-out`);
    expect(send && proc && sendOut).toBeTruthy();
    expect(send!.kind).toBe(SpanKind.PRODUCER);
    expect(proc!.kind).toBe(SpanKind.CONSUMER);
    expect(proc!.spanContext().traceId).toBe(send!.spanContext().traceId);
    expect(proc!.parentSpanContext?.spanId).toBe(send!.spanContext().spanId);
    expect(proc!.links.map((l) => l.context.spanId)).toContain(send!.spanContext().spanId);
    expect(sendOut!.parentSpanContext?.spanId).toBe(proc!.spanContext().spanId);
    expect(send!.resource.attributes['service.name']).toBe('producer-svc');
    expect(proc!.resource.attributes['service.name']).toBe('consumer-svc');
    expect(proc!.attributes).toMatchObject({
      'messaging.system': 'kafka',
      'messaging.destination.name': `${prefix}.traced`,
      'messaging.operation.type': 'process',
      'messaging.consumer.group.name': `${prefix}.tracer`,
      'messaging.message.id': event.id,
      'messaging.kafka.message.key': event.orderId,
    });
    expect(send!.attributes).toMatchObject({ 'messaging.operation.type': 'send', 'messaging.message.id': event.id });
    expect(emitted!.causationId).toBe(event.id);
    expect(emitted!.correlationId).toBe(event.correlationId);
    expect(emitted!.source).toBe('consumer-svc');
  });

  it('publishMany sends every event keyed by its order', async () => {
    const events = Array.from({ length: 1200 }, (_, i) => orderCreated(`ord-many-${i % 7}`));
    await bus.publishMany('many', events);
    const raw = await collect(brokers, [bus.name('many')]);
    await waitFor(() => raw.messages.length === 1200, '1200 raw messages');
    await raw.stop();
    expect(new Set(raw.messages.map((m) => m.headers[HEADERS.eventId])).size).toBe(1200);
    for (let i = 0; i < 7; i++) expect(new Set(raw.messages.filter((m) => m.key === `ord-many-${i}`).map((m) => m.partition)).size).toBe(1);
  });

  it('with keyConcurrency, handles different orders of one partition at once and each order in sequence', async () => {
    // Published before the group joins, so each partition arrives as one large batch.
    const events = Array.from({ length: 400 }, (_, i) => orderCreated(`ord-keys-${i % 40}`));
    await bus.publishMany('keys', events);
    const seen = new Map<string, string[]>();
    let inHand = 0;
    let most = 0;
    const c = await bus.consume({
      group: 'keys',
      topics: ['keys'],
      keyConcurrency: 8,
      handle: async (e) => {
        most = Math.max(most, ++inHand);
        await new Promise((r) => setTimeout(r, 2));
        seen.set(e.orderId, [...(seen.get(e.orderId) ?? []), e.id]);
        inHand--;
      },
    });
    await waitFor(() => [...seen.values()].reduce((n, ids) => n + ids.length, 0) === 400, 'every event');
    await c.stop();
    expect(most).toBeGreaterThan(1);
    expect(most).toBeLessThanOrEqual(8);
    for (const [orderId, ids] of seen) expect(ids).toEqual(events.filter((e) => e.orderId === orderId).map((e) => e.id));
    expect(bus.stats()[bus.name('keys')]).toMatchObject({ consumed: 400, processed: 400, duplicatesSkipped: 0 });
  });
});

describe('broker gaps (mock cluster)', () => {
  it('falls back to auto-creation without CreateTopics, and says so in one line per API', async () => {
    resetBrokerGapReports();
    const lines: { level: string; msg: string; api?: string }[] = [];
    const logger = createLogger('gap-test', (l) => lines.push(JSON.parse(l) as { level: string; msg: string; api?: string }));
    const kafka = new Kafka({ clientId: 'gap-test', brokers, logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    try {
      const t1 = `${prefix}.gap-1`;
      const t2 = `${prefix}.gap-2`;
      expect(await ensureTopics(admin, [t1], logger)).toEqual({ via: 'auto' });
      expect(await ensureTopics(admin, [t2], logger)).toEqual({ via: 'auto' });
      const meta = await admin.fetchTopicMetadata({ topics: [t1, t2] });
      expect(meta.topics.map((t) => t.partitions.length)).toEqual([4, 4]);
      expect(await tryListGroups(admin, logger)).toBeNull();
      expect(await tryListGroups(admin, logger)).toBeNull();
      expect(await tryDescribeGroups(admin, [`${prefix}.reader`], logger)).toBeNull();
      const warnings = lines.filter((l) => l.level === 'warn');
      expect(warnings.map((w) => w.msg)).toEqual([
        'broker lacks CreateTopics (mock cluster?); relying on topic auto-creation through a metadata request',
        'broker lacks ListGroups (mock cluster?); using the configured consumer groups only',
        'broker lacks DescribeGroups (mock cluster?); group state and members unknown; judging groups by committed offsets only',
      ]);
    } finally {
      await admin.disconnect();
    }
  });
});
