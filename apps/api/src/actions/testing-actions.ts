/**
 * Helpers for the action tests (not shipped behaviour): tokens per role, a bus on the run's mock cluster, events,
 * reading a topic raw, waiting for an action to end.
 */
import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { expect } from 'vitest';
import { readHeaders } from '@switchyard/bus/headers';
import { createBus, type KafkaBus } from '@switchyard/bus';
import { makeEvent, type Envelope } from '@switchyard/contracts';
import type { Api } from '../app';
import { req, type Harness } from '../testing';
import { waitFor } from '@switchyard/bus/testing';

/** An admin token and one token per role on `api`. */
export async function roleTokens(api: Api, admin: string): Promise<{ operator: string; viewer: string }> {
  const make = async (role: string): Promise<string> => {
    const res = await req(api, 'POST', '/api/v1/tokens', { token: admin, body: { name: `${role}-${randomUUID().slice(0, 6)}`, role } });
    expect(res.status).toBe(200);
    return ((await res.json()) as { token: string }).token;
  };
  return { operator: await make('operator'), viewer: await make('viewer') };
}

/** A bus on the harness's Redis and the run's brokers (short idempotency TTL: these keys are not under the prefix). */
export function testBus(h: Harness, brokers: string): KafkaBus {
  return createBus({ brokers: brokers.split(','), clientId: 'api-actions-test', redis: h.redis, config: { maxAttempts: 1, retryBackoffMs: 10, idempotencyTtlSeconds: 600, topicPrefix: '' }, logger: h.logger, tracerService: 'api-test' });
}

/** An OrderDelivered event for a fresh order. */
export function delivered(orderId = `ord-${randomUUID().slice(0, 12)}`): Envelope {
  return makeEvent('OrderDelivered', { deliveredAt: new Date().toISOString(), actualMinutes: 31, driverId: 'drv-7' }, { orderId, source: 'api-test' });
}

/** Polls GET `path` until the action's state is final; returns it. */
export async function waitForAction(api: Api, token: string, path: string, timeoutMs = 30_000): Promise<Record<string, unknown> & { state: string; done: number; failed: number; skipped: number; matched: number }> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const res = await req(api, 'GET', path, { token });
    const body = (await res.json()) as Record<string, unknown> & { state: string; done: number; failed: number; skipped: number; matched: number };
    if (['done', 'failed', 'cancelled'].includes(body.state)) return body;
    if (Date.now() > end) throw new Error(`action at ${path} still ${body.state} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Polls `cond` until true (default 20 s). */
export const until = (cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> => waitFor(cond, what, timeoutMs);

/** A message read raw, with its broker timestamp. */
export interface RawMessage {
  partition: number;
  offset: string;
  key: string | null;
  value: string | null;
  timestamp: number;
  headers: Record<string, string>;
}

/** Reads `topic` from the beginning until `enough(messages)` holds; returns what was read. */
export async function readTopic(kafka: Kafka, topic: string, enough: (m: RawMessage[]) => boolean, timeoutMs = 30_000): Promise<RawMessage[]> {
  const consumer = kafka.consumer({ groupId: `read-${randomUUID()}`, maxWaitTimeInMs: 100 });
  const out: RawMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        out.push({ partition, offset: message.offset, key: message.key?.toString() ?? null, value: message.value?.toString() ?? null, timestamp: Number(message.timestamp), headers: readHeaders(message.headers) });
      },
    });
    await until(() => enough(out), `enough messages on ${topic}`, timeoutMs);
    return out;
  } finally {
    await consumer.disconnect();
  }
}
