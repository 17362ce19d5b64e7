/**
 * Tap ingest rate, beside the two limits it sits between, in one run on one mock cluster and one embedded store:
 *
 * 1. produce `events` pipeline-like envelopes (bus headers, ~540 bytes each) spread over `topics` topics of 4
 *    partitions, few enough per partition that the mock cluster (~5 MB per partition) trims none (setup, not timed);
 * 2. **consume limit**: a plain kafkajs consumer group reads them all (eachBatch, no processing, same fetch settings
 *    as the tap);
 * 3. **tap ingest**: the tap reads them all into `events`, timed until its writer has stored the last row;
 * 4. **insert limit**: the rows the tap would write (toEventRow of the very messages step 2 read) inserted straight
 *    into a copy of `events` with `store.insert`, cut into batches as the tap's writer cuts them, one at a time.
 *
 * The phases run one after another so they do not share the two cores; each rate is reported over the whole phase
 * (group join included for the consumers) and steady-state (first message/row to last). `ingestFraction` is the tap
 * rate over the smaller limit. Needs KAFKA_BROKERS or kcat (mock cluster). Figures for BENCHMARKS.md; no assertions.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, type KafkaMessage, type Producer } from 'kafkajs';
import { openStore, type Store } from '@switchyard/store';
import { createLogger } from '@switchyard/telemetry/log';
import { startMockCluster } from '../../apps/launcher/src/kafka-mock';
import { startTap, TAP_WRITER_DEFAULTS, tapRowSize } from '../../collectors/tap/tap';
import { toEventRow } from '../../collectors/tap/row';
import { benchMessage, percentile, round, sleep } from './bench-kit';

/** Options of {@link runTapIngestBench}. */
export interface TapIngestOptions {
  /**
   * Events to produce and ingest (default 400000; `BENCH_TAP_EVENTS` through run.ts). 400k keeps the whole run near
   * two minutes on 2 shared cores; 1M (the figure) takes ~5 min there, mostly producing and the tap itself.
   */
  events?: number;
  /** Events per topic; each topic has 4 partitions and the mock keeps ~9k of these events per partition (default 24000). */
  perTopic?: number;
  /**
   * Most rows per insert, for the tap's writer and the insert-limit phase alike (default the tap's,
   * TAP_WRITER_DEFAULTS.maxRows; both also end a batch at TAP_WRITER_DEFAULTS.maxBytes by tapRowSize).
   */
  batchRows?: number;
  /** Existing brokers; default: KAFKA_BROKERS, else a mock cluster started for the run. */
  brokers?: string[];
}

/** A phase's rate over the whole phase and steady-state. */
export interface PhaseRate {
  seconds: number;
  eventsPerSecond: number;
  /** First message (or row) to last: without the group join. */
  steadySeconds: number;
  steadyEventsPerSecond: number;
}

/** Figures of one run. */
export interface TapIngestFigures {
  /** Events produced. */
  produced: number;
  /** Events the broker still held when the consumers started (the mock trims each partition to ~5 MB), all stored. */
  events: number;
  topics: number;
  partitions: number;
  avgBytes: number;
  /** Producing them (setup; kafkajs producer, 8 requests in flight). */
  produceEventsPerSecond: number;
  /** Plain kafkajs consumer group, eachBatch, no processing. */
  consume: PhaseRate;
  /** The tap, from `startTap` until its writer stored the last row (includes its ~3 s group join). */
  tap: PhaseRate & { /** Offset commits, one per stored batch. */ commits: number; avgBatchRows: number; pauses: number; rowsCounted: number };
  /** store.insert of the tap's rows in `batchRows` batches, one at a time; seconds = sum of insert calls. */
  insert: { seconds: number; eventsPerSecond: number; maxRows: number; batches: number; avgBatchRows: number; p50BatchMs: number; p99BatchMs: number };
  /** Kept from earlier runs of this bench: the tap rate, whole and steady. */
  seconds: number;
  eventsPerSecond: number;
  steadySeconds: number;
  steadyEventsPerSecond: number;
  /** tap eventsPerSecond / min(consume, insert eventsPerSecond), and the same with steady-state rates. */
  ingestFraction: number;
  steadyIngestFraction: number;
  /** Which limit is the smaller one. */
  limitedBy: 'consume' | 'insert';
  /**
   * 1 / (1/consume + 1/insert): the rate if one thread paid both limits' costs in turn with no overlap. The tap's
   * consume loop and row encoding share one Node thread, so this (not min) is the rate it can approach here.
   */
  serialLimitEventsPerSecond: number;
}

const PARTITIONS = 4; // what the mock cluster auto-creates

const rate = (n: number, t0: number, first: number, t1: number): PhaseRate => ({
  seconds: round((t1 - t0) / 1000, 2),
  eventsPerSecond: Math.round(n / ((t1 - t0) / 1000)),
  steadySeconds: round((t1 - first) / 1000, 2),
  steadyEventsPerSecond: Math.round(n / Math.max((t1 - first) / 1000, 0.001)),
});

/** Produces `n` bench messages round-robin over `topics`, a few requests in flight. Returns the value+header bytes. */
async function produce(producer: Producer, topics: string[], n: number, now: number): Promise<number> {
  let bytes = 0;
  const inflight: Promise<unknown>[] = [];
  const perSend = 5000;
  for (let i = 0; i < n; i += perSend) {
    const byTopic = new Map<string, ReturnType<typeof benchMessage>[]>();
    for (let j = i; j < Math.min(n, i + perSend); j++) {
      const m = benchMessage(j, now);
      bytes += String(m.value).length + Object.entries(m.headers ?? {}).reduce((a, [k, v]) => a + k.length + String(v).length, 0);
      const topic = topics[j % topics.length]!;
      const list = byTopic.get(topic) ?? [];
      list.push(m);
      byTopic.set(topic, list);
    }
    inflight.push(producer.sendBatch({ topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) }));
    if (inflight.length >= 8) await inflight.shift();
  }
  await Promise.all(inflight);
  return bytes;
}

/** Phase 2: a plain consumer group reads `total` messages; keeps the batches (by reference) for phase 4. */
async function rawConsume(kafka: Kafka, topics: string[], total: number): Promise<{ rate: PhaseRate; batches: { topic: string; partition: number; messages: KafkaMessage[] }[] }> {
  const consumer = kafka.consumer({ groupId: `bench-raw-${randomUUID()}`, maxWaitTimeInMs: 500 });
  const batches: { topic: string; partition: number; messages: KafkaMessage[] }[] = [];
  let n = 0;
  let first = 0;
  let last = 0;
  let done: () => void = () => undefined;
  const finished = new Promise<void>((r) => (done = r));
  const t0 = performance.now();
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  await consumer.run({
    partitionsConsumedConcurrently: 4, // as the tap
    eachBatch: async ({ batch }) => {
      if (!first) first = performance.now();
      batches.push({ topic: batch.topic, partition: batch.partition, messages: batch.messages });
      n += batch.messages.length;
      if (n >= total && !last) {
        last = performance.now();
        done();
      }
    },
  });
  await finished;
  await consumer.disconnect();
  return { rate: rate(n, t0, first, last), batches };
}

/** Phase 4: the tap's rows for the consumed messages, in the tap writer's batches, into a copy of `events`. */
async function rawInsert(store: Store, batches: { topic: string; partition: number; messages: KafkaMessage[] }[], maxRows: number): Promise<TapIngestFigures['insert']> {
  await store.command('CREATE TABLE IF NOT EXISTS events_insert_bench AS events');
  const times: number[] = [];
  let pending: ReturnType<typeof toEventRow>[] = [];
  let pendingBytes = 0;
  let rows = 0;
  const flush = async (): Promise<void> => {
    const t = performance.now();
    const res = await store.insert('events_insert_bench', pending);
    times.push(performance.now() - t);
    if (!res.ok) throw res.error;
    rows += pending.length;
    pending = [];
    pendingBytes = 0;
  };
  const tappedAt = Date.now();
  for (const b of batches) {
    for (const m of b.messages) {
      const row = toEventRow(b.topic, b.partition, m, tappedAt); // building rows is the tap's work: not timed
      if (pending.length > 0 && pendingBytes + tapRowSize(row) > TAP_WRITER_DEFAULTS.maxBytes) await flush();
      pending.push(row);
      pendingBytes += tapRowSize(row);
      if (pending.length >= maxRows) await flush();
    }
  }
  if (pending.length) await flush();
  const seconds = times.reduce((a, t) => a + t, 0) / 1000;
  const sorted = [...times].sort((a, b) => a - b);
  return { seconds: round(seconds, 2), eventsPerSecond: Math.round(rows / seconds), maxRows, batches: times.length, avgBatchRows: Math.round(rows / times.length), p50BatchMs: round(percentile(sorted, 50)), p99BatchMs: round(percentile(sorted, 99)) };
}

/** Runs the benchmark once. */
export async function runTapIngestBench(opts: TapIngestOptions = {}): Promise<TapIngestFigures> {
  const n = opts.events ?? 400_000;
  const perTopic = opts.perTopic ?? 24_000;
  const batchRows = opts.batchRows ?? TAP_WRITER_DEFAULTS.maxRows;
  const envBrokers = process.env.KAFKA_BROKERS?.split(',');
  const mock = opts.brokers || envBrokers ? null : await startMockCluster();
  const brokers = opts.brokers ?? envBrokers ?? mock?.brokers ?? [];
  const dataDir = mkdtempSync(join(tmpdir(), 'sy-bench-tap-'));
  const kafka = new Kafka({ clientId: 'bench-tap', brokers, logLevel: logLevel.NOTHING });
  const store = await openStore({ dataDir, database: 'bench' });
  const producer = kafka.producer({ allowAutoTopicCreation: true });
  const run = `bench-tap-${randomUUID().slice(0, 8)}`;
  const topics = Array.from({ length: Math.max(1, Math.ceil(n / perTopic)) }, (_, i) => `${run}-${i}`);
  try {
    await producer.connect();
    const p0 = performance.now();
    const bytes = await produce(producer, topics, n, Date.now());
    const produceSeconds = (performance.now() - p0) / 1000;
    // The mock cluster keeps ~5 MB per partition: count what the broker still has, not what was produced.
    const admin = kafka.admin();
    await admin.connect();
    let available = 0;
    for (const t of topics) available += (await admin.fetchTopicOffsets(t)).reduce((a, p) => a + Number(BigInt(p.high) - BigInt(p.low)), 0);
    await admin.disconnect();

    const consumed = await rawConsume(kafka, topics, available);

    const t0 = performance.now();
    const writer = { maxRows: batchRows };
    const tap = await startTap({ kafka, store, topics, groupId: `bench-${randomUUID()}`, writer, logger: createLogger('bench', () => undefined) });
    let first = 0;
    // The writer's own count, not count() FINAL: polling a 1M-row table would queue behind (and slow) the inserts.
    while (tap.stats().writer.written < available) {
      await sleep(20);
      if (!first && tap.stats().writer.written > 0) first = performance.now();
    }
    const t1 = performance.now();
    const st = tap.stats();
    await tap.stop();
    const rowsCounted = Number((await store.query<{ c: string }>('SELECT count() AS c FROM events FINAL'))[0]?.c);
    const tapRate = rate(available, t0, first, t1);

    const insert = await rawInsert(store, consumed.batches, batchRows);
    const limitedBy = consumed.rate.eventsPerSecond <= insert.eventsPerSecond ? 'consume' : 'insert';
    const limit = Math.min(consumed.rate.eventsPerSecond, insert.eventsPerSecond);
    const steadyLimit = Math.min(consumed.rate.steadyEventsPerSecond, insert.eventsPerSecond);
    return {
      produced: n,
      events: available,
      topics: topics.length,
      partitions: topics.length * PARTITIONS,
      avgBytes: Math.round(bytes / n),
      produceEventsPerSecond: Math.round(n / produceSeconds),
      consume: consumed.rate,
      tap: { ...tapRate, commits: st.commits, avgBatchRows: Math.round(st.writer.written / Math.max(1, st.commits)), pauses: st.pauses, rowsCounted },
      insert,
      ...tapRate,
      ingestFraction: round(tapRate.eventsPerSecond / limit, 3),
      steadyIngestFraction: round(tapRate.steadyEventsPerSecond / steadyLimit, 3),
      limitedBy,
      serialLimitEventsPerSecond: Math.round(1 / (1 / consumed.rate.eventsPerSecond + 1 / insert.eventsPerSecond)),
    };
  } finally {
    await producer.disconnect();
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
    await mock?.stop();
  }
}
