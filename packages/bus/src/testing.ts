/**
 * Helpers for the bus's own tests (and other packages' integration tests): unique names, a raw collector that
 * reads a topic with plain kafkajs, valid events, polling. Not part of the runtime API.
 */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import type { Consumer as KafkaConsumer, KafkaMessage } from 'kafkajs';
import { Redis } from 'ioredis';
import { makeEvent, sampleOrder } from '@switchyard/contracts';
import type { Envelope } from '@switchyard/contracts';
import { readHeaders } from './headers';

/** Brokers and Redis URL of the test run (vitest global setup). */
export function testEnv(): { brokers: string[]; redisUrl: string } {
  const brokers = (process.env.KAFKA_BROKERS ?? '').split(',').filter(Boolean);
  if (brokers.length === 0) throw new Error('KAFKA_BROKERS is not set: run through vitest (test/setup/global.ts)');
  return { brokers, redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' };
}

/** A unique topic prefix for one test: `t-<8 hex>`. */
export function uniquePrefix(): string {
  return `t-${randomUUID().slice(0, 8)}`;
}

/** A valid OrderCreated event for `orderId` (default a fresh one). */
export function orderCreated(orderId = `ord-${randomUUID().slice(0, 12)}`): Envelope {
  return makeEvent('OrderCreated', sampleOrder({ orderId }), { orderId, source: 'bus-test' });
}

/** One message as a raw reader sees it. */
export interface Collected {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
}

/** Reads topics from the beginning with plain kafkajs, into an array. */
export async function collect(brokers: string[], topics: string[]): Promise<{ messages: Collected[]; stop(): Promise<void> }> {
  const kafka = new Kafka({ clientId: 'collector', brokers, logLevel: logLevel.NOTHING });
  const consumer: KafkaConsumer = kafka.consumer({ groupId: `collector-${randomUUID()}`, maxWaitTimeInMs: 200 });
  const messages: Collected[] = [];
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic, partition, message }: { topic: string; partition: number; message: KafkaMessage }) => {
      messages.push({
        topic,
        partition,
        offset: message.offset,
        key: message.key?.toString('utf8') ?? null,
        value: message.value?.toString('utf8') ?? null,
        headers: readHeaders(message.headers),
      });
    },
  });
  return { messages, stop: () => consumer.disconnect() };
}

/** Polls `probe` until it gives a value (anything but undefined, null or false) and returns it; throws after `timeoutMs`. */
export async function eventually<T>(probe: () => T | undefined | null | false | Promise<T | undefined | null | false>, what: string, timeoutMs = 20_000, stepMs = 50): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== null && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

/** Polls `cond` until it holds; throws after `timeoutMs`. */
export async function waitFor(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  await eventually(async () => (await cond()) || undefined, what, timeoutMs, 25);
}

/** Deletes every Redis key under a prefix. */
export async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
}

/** A Redis connection for tests. */
export function testRedis(): Redis {
  return new Redis(testEnv().redisUrl);
}
