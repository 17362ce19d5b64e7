import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, type Admin, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { formatDateTime64, openStore, StoreError, type Store, type WriteResult } from '@switchyard/store';
import { newEnvelope } from '@switchyard/contracts/envelope';
import { HEADERS } from '@switchyard/bus/types';
import { createLogger } from '@switchyard/telemetry/log';
import { detectLosses } from './losses';
import { startTap, tapGroupId, type TapOptions } from './tap';

const dataDir = mkdtempSync(join(tmpdir(), 'sy-tap-'));
const kafka = new Kafka({ clientId: 'tap-test', brokers: inject('kafkaBrokers').split(','), logLevel: process.env.TAP_DEBUG ? logLevel.INFO : logLevel.NOTHING });
const logger = createLogger('tap-test', process.env.TAP_DEBUG ? undefined : () => undefined);
let store: Store;
let producer: Producer;
let admin: Admin;

beforeAll(async () => {
  store = await openStore({ dataDir, database: 'tap_test' });
  producer = kafka.producer({ allowAutoTopicCreation: true });
  admin = kafka.admin();
  await Promise.all([producer.connect(), admin.connect()]);
});
afterAll(async () => {
  await Promise.all([producer.disconnect(), admin.disconnect()]);
  await store.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const uid = (): string => randomUUID().slice(0, 8);
const TRACE = '0af7651916cd43dd8448eb211c80319c';
// Recent produce times: rows older than the retention TTL would be (correctly) deleted by the store.
const T0 = Date.now() - 60_000;

/** Produces `n` envelopes to `topic` as @switchyard/bus would (headers included), keyed by order id. */
async function produceEvents(topic: string, n: number, from = 0, extra: Record<string, string> = {}): Promise<void> {
  for (let i = from; i < from + n; i += 500) {
    const messages = Array.from({ length: Math.min(500, from + n - i) }, (_, j) => {
      const e = newEnvelope({ type: 'OrderCreated', version: 1, orderId: `o-${i + j}`, source: 'intake', data: { n: i + j }, now: T0 + i + j });
      return {
        key: e.orderId,
        value: JSON.stringify(e),
        timestamp: String(T0 + i + j),
        headers: {
          [HEADERS.traceparent]: `00-${TRACE}-${(i + j).toString(16).padStart(16, '0')}-01`,
          [HEADERS.eventId]: e.id,
          [HEADERS.eventType]: e.type,
          [HEADERS.eventVersion]: '1',
          [HEADERS.orderId]: e.orderId,
          [HEADERS.correlationId]: e.correlationId,
          [HEADERS.source]: e.source,
          ...extra,
        },
      };
    });
    await producer.send({ topic, messages });
  }
}

const countFinal = async (topic: string): Promise<number> =>
  Number((await store.query<{ c: string }>('SELECT count() AS c FROM events FINAL WHERE topic = {t:String}', { t: topic }))[0]?.c);
const countRaw = async (topic: string): Promise<number> =>
  Number((await store.query<{ c: string }>('SELECT count() AS c FROM events WHERE topic = {t:String}', { t: topic }))[0]?.c);

async function committed(group: string, topic: string): Promise<Map<number, bigint>> {
  const [t] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
  return new Map((t?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]));
}
async function endOffsets(topic: string): Promise<Map<number, bigint>> {
  return new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, BigInt(p.high)]));
}

const tapOpts = (over: Partial<TapOptions> & Pick<TapOptions, 'topics'>): TapOptions => ({
  kafka,
  store,
  groupId: `tap-${uid()}`,
  logger,
  maxWaitTimeInMs: 200,
  sessionTimeout: 6000,
  writer: { flushIntervalMs: 100, retry: { baseMs: 20, maxMs: 200 } },
  ...over,
});

const WAIT = { timeout: 45_000, interval: 200 };

describe('tap', () => {
  it('stores one row per message with the envelope, trace and flag fields, retry and DLQ topics included', async () => {
    const topic = `orders-${uid()}`;
    await produceEvents(topic, 300);
    await produceEvents(`${topic}.retry`, 2, 0, { [HEADERS.attempt]: '2' });
    await produceEvents(`${topic}.dlq`, 1, 0, { [HEADERS.redrive]: 'rd-1', [HEADERS.errorClass]: 'Boom' });
    const tap = await startTap(tapOpts({ topics: [topic, `${topic}.retry`, `${topic}.dlq`] }));
    try {
      await vi.waitFor(async () => expect(await countFinal(topic)).toBe(300), WAIT);
      await vi.waitFor(async () => expect((await countFinal(`${topic}.retry`)) + (await countFinal(`${topic}.dlq`))).toBe(3), WAIT);
      const [row] = await store.query("SELECT * EXCEPT (tapped_at, event_id, correlation_id) FROM events FINAL WHERE topic = {t:String} AND order_id = 'o-7'", { t: topic });
      expect(row).toMatchObject({
        topic,
        key: 'o-7',
        type: 'OrderCreated',
        version: 1,
        order_id: 'o-7',
        trace_id: TRACE,
        span_id: '0000000000000007',
        source: 'intake',
        produced_at: formatDateTime64(new Date(T0 + 7)),
        is_retry: false,
        is_dlq: false,
        replay_id: '',
      });
      expect(JSON.parse(String(row?.payload))).toMatchObject({ orderId: 'o-7', data: { n: 7 } });
      expect(Number(row?.bytes)).toBeGreaterThan(String(row?.payload).length);
      const flags = await store.query<{ topic: string; is_retry: boolean; is_dlq: boolean; redrive_id: string }>(
        'SELECT topic, is_retry, is_dlq, redrive_id FROM events FINAL WHERE topic IN ({r:String}, {d:String}) ORDER BY topic, offset LIMIT 2',
        { r: `${topic}.retry`, d: `${topic}.dlq` },
      );
      expect(flags[0]).toEqual({ topic: `${topic}.dlq`, is_retry: false, is_dlq: true, redrive_id: 'rd-1' });
      expect(flags[1]).toMatchObject({ topic: `${topic}.retry`, is_retry: true, is_dlq: false });
    } finally {
      await tap.stop();
    }
  });

  it('names its default group after the topic prefix, so deployments sharing a broker keep separate offsets', async () => {
    expect(tapGroupId()).toBe('switchyard-tap');
    expect(tapGroupId('')).toBe('switchyard-tap');
    const prefix = `dep-${uid()}`;
    const topic = `${prefix}.orders`;
    await produceEvents(topic, 20);
    const { groupId: _unused, ...opts } = tapOpts({ topics: [topic] });
    const tap = await startTap({ ...opts, topicPrefix: prefix });
    try {
      await vi.waitFor(async () => expect(await committed(`${prefix}.switchyard-tap`, topic)).toEqual(await endOffsets(topic)), WAIT);
      // The unprefixed group (another deployment's tap) never committed here.
      expect([...(await committed('switchyard-tap', topic)).values()].every((o) => o < 0n)).toBe(true);
    } finally {
      await tap.stop();
    }
  });

  it('stores a malformed message as type unknown with its raw payload', async () => {
    const topic = `bad-${uid()}`;
    const binary = Buffer.from([0xff, 0xfe, 0x00, 0x41]);
    await producer.send({ topic, messages: [{ key: 'k', value: 'not json {', partition: 0 }, { value: '{"no":"envelope"}', partition: 0 }, { value: binary, partition: 0 }, { value: null, partition: 0 }] });
    const tap = await startTap(tapOpts({ topics: [topic] }));
    try {
      await vi.waitFor(async () => expect(await countFinal(topic)).toBe(4), WAIT);
      const rows = await store.query<{ type: string; payload: string; enc: string }>(
        "SELECT type, payload, headers['sy-tap-encoding'] AS enc FROM events FINAL WHERE topic = {t:String} ORDER BY offset",
        { t: topic },
      );
      expect(rows).toEqual([
        { type: 'unknown', payload: 'not json {', enc: '' },
        { type: 'unknown', payload: '{"no":"envelope"}', enc: '' },
        { type: 'unknown', payload: binary.toString('base64'), enc: 'base64' },
        { type: 'unknown', payload: '', enc: '' },
      ]);
    } finally {
      await tap.stop();
    }
  });

  it('stopped mid-stream and restarted, loses nothing and a re-read of the same offsets duplicates nothing', async () => {
    const topic = `stream-${uid()}`;
    const group = `tap-${uid()}`;
    await produceEvents(topic, 3000);
    const first = await startTap(tapOpts({ topics: [topic], groupId: group, writer: { flushIntervalMs: 50, maxRows: 200 } }));
    await vi.waitFor(async () => expect(await countFinal(topic)).toBeGreaterThan(0), WAIT);
    await first.stop();
    const stored = await countFinal(topic);
    await produceEvents(topic, 2000, 3000);
    const second = await startTap(tapOpts({ topics: [topic], groupId: group }));
    await vi.waitFor(async () => expect(await countFinal(topic)).toBe(5000), WAIT);
    await second.stop();
    expect(await committed(group, topic)).toEqual(await endOffsets(topic));
    expect(stored).toBeGreaterThan(0);

    // Read every offset again (a fresh group from the beginning: the mock cluster has no DescribeGroups, which
    // admin.resetOffsets needs): every row is inserted a second time, count FINAL does not move.
    const before = await countRaw(topic);
    const third = await startTap(tapOpts({ topics: [topic], groupId: `${group}-again` }));
    await vi.waitFor(async () => expect(await countRaw(topic)).toBeGreaterThanOrEqual(before + 5000), WAIT);
    await third.stop();
    expect(await countFinal(topic)).toBe(5000);
    const [u] = await store.query<{ u: string }>('SELECT uniqExact(partition, offset) AS u FROM events WHERE topic = {t:String}', { t: topic });
    expect(u?.u).toBe('5000');
  });

  it('keeps offsets behind unstored rows while the store fails, and stores every event once it recovers', async () => {
    const topic = `flaky-${uid()}`;
    const group = `tap-${uid()}`;
    const flaky = { down: false, failures: 0 };
    // A seam we own: the real store, refusing inserts while `down`.
    const wrapped: Store = {
      ...store,
      insert: async (t: string, rows: readonly Record<string, unknown>[]): Promise<WriteResult> => {
        if (flaky.down) {
          flaky.failures++;
          return { ok: false, error: new StoreError('ClickHouse unreachable (test)', 'NETWORK', true) };
        }
        return store.insert(t, rows);
      },
    };
    await produceEvents(topic, 100);
    const tap = await startTap(tapOpts({ topics: [topic], groupId: group, store: wrapped, writer: { flushIntervalMs: 50, maxBufferedRows: 400, retry: { baseMs: 20, maxMs: 100 } } }));
    try {
      await vi.waitFor(async () => expect(await countFinal(topic)).toBe(100), WAIT);
      await vi.waitFor(async () => expect([...(await committed(group, topic)).values()].reduce((a, b) => a + b, 0n)).toBe(100n), WAIT);
      flaky.down = true;
      await produceEvents(topic, 1000, 100);
      await vi.waitFor(() => expect(flaky.failures).toBeGreaterThanOrEqual(5), WAIT);
      await vi.waitFor(() => expect(tap.stats().paused).toBe(true), WAIT);
      // Nothing committed past what is stored, per partition.
      const stored = await store.query<{ partition: number; next: string }>('SELECT partition, max(offset) + 1 AS next FROM events FINAL WHERE topic = {t:String} GROUP BY partition', { t: topic });
      const storedNext = new Map(stored.map((r) => [r.partition, BigInt(r.next)]));
      for (const [p, off] of await committed(group, topic)) expect(off <= (storedNext.get(p) ?? 0n)).toBe(true);
      expect(await countFinal(topic)).toBe(100);
      expect(tap.stats().writer.buffered).toBeLessThanOrEqual(400);
      flaky.down = false;
      await vi.waitFor(async () => expect(await countFinal(topic)).toBe(1100), WAIT);
      await vi.waitFor(async () => expect(await committed(group, topic)).toEqual(await endOffsets(topic)), WAIT);
      expect(tap.stats().writer.dropped).toBe(0);
      expect(tap.stats().pauses).toBeGreaterThan(0);
    } finally {
      await tap.stop();
    }
  });

  it('with a RegExp, picks up a topic created after it started', async () => {
    const prefix = `re-${uid()}`;
    await produceEvents(`${prefix}-a`, 5);
    const tap = await startTap(tapOpts({ topics: new RegExp(`^${prefix}-`), topicRefreshMs: 300 }));
    try {
      expect(tap.stats().topics).toEqual([`${prefix}-a`]);
      await vi.waitFor(async () => expect(await countFinal(`${prefix}-a`)).toBe(5), WAIT);
      await produceEvents(`${prefix}-b`, 7);
      await vi.waitFor(async () => expect(await countFinal(`${prefix}-b`)).toBe(7), WAIT);
      expect(tap.stats()).toMatchObject({ restarts: 1, topics: [`${prefix}-a`, `${prefix}-b`] });
      expect(await countFinal(`${prefix}-a`)).toBe(5);
    } finally {
      await tap.stop();
    }
  });

  it('records a loss when retention removed messages the group had not read', async () => {
    const topic = `loss-${uid()}`;
    const group = `tap-${uid()}`;
    await producer.send({ topic, messages: [0, 1, 2].map((i) => ({ value: `small-${i}`, partition: 0 })) });
    const tap = await startTap(tapOpts({ topics: [topic], groupId: group }));
    await vi.waitFor(async () => expect((await committed(group, topic)).get(0)).toBe(3n), WAIT);
    await tap.stop();
    // ~8 MB into partition 0: the mock keeps about 5 MB per partition, so the low watermark passes offset 3.
    const big = Buffer.alloc(64 * 1024, 'x');
    for (let i = 0; i < 8; i++) await producer.send({ topic, messages: Array.from({ length: 16 }, () => ({ value: big, partition: 0 })) });
    const low = BigInt((await admin.fetchTopicOffsets(topic)).find((p) => p.partition === 0)?.low ?? '0');
    expect(low).toBeGreaterThan(3n);

    const losses = await detectLosses(admin, group, [topic]);
    expect(losses).toEqual([{ group, topic, partition: 0, fromOffset: '3', toOffset: low.toString(), lost: (low - 3n).toString() }]);

    const again = await startTap(tapOpts({ topics: [topic], groupId: group }));
    try {
      const rows = await store.query('SELECT group, partition, from_offset, to_offset, lost FROM tap_losses FINAL WHERE topic = {t:String}', { t: topic });
      expect(rows).toEqual([{ group, partition: 0, from_offset: '3', to_offset: low.toString(), lost: (low - 3n).toString() }]);
      expect(again.stats().lossesDetected).toBe(1);
      const high = (await endOffsets(topic)).get(0) ?? 0n;
      await vi.waitFor(async () => expect(await countFinal(topic)).toBe(3 + Number(high - low)), WAIT);
    } finally {
      await again.stop();
    }
  });
});
