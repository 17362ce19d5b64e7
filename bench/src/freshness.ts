/**
 * Freshness: how long after it is produced an event can be queried. The tap runs (default settings) against a
 * fresh embedded store while we produce at `rate` events/s for `seconds`; every `pollMs` we ask the store how far
 * each partition is visible (`max(offset)` per partition; the tap stores a partition's rows in offset order, one
 * atomic insert at a time, so every offset up to it is queryable). The producer's acks give each message's offset,
 * so each event's latency is (poll that first saw it) - (time just before its send). The poll shares the store's
 * one chDB session with the tap's inserts, as the API does.
 *
 * A warm-up message per partition is produced and awaited first, so the tap's group join is not counted.
 * Needs KAFKA_BROKERS or kcat (mock cluster). Figures for BENCHMARKS.md; no assertions.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, type Message, type RecordMetadata } from 'kafkajs';
import { openStore, type Store } from '@switchyard/store';
import { createLogger } from '@switchyard/telemetry/log';
import { startMockCluster } from '../../apps/launcher/src/kafka-mock';
import { startTap, type Tap } from '../../collectors/tap/tap';
import { benchMessage, percentile, round, sleep } from './bench-kit';

/** Options of {@link runFreshnessBench}. */
export interface FreshnessOptions {
  /** Events per second offered (default 5000). */
  rate?: number;
  /** Seconds of load (default 20). */
  seconds?: number;
  /** Topics, 4 partitions each (default 4: keeps each partition far below the mock's ~5 MB). */
  topics?: number;
  /** Store poll period in ms (default 100). */
  pollMs?: number;
  /** Longest wait for the last events after the load (default 30000 ms). */
  drainMs?: number;
  /** Existing brokers; default: KAFKA_BROKERS, else a mock cluster started for the run. */
  brokers?: string[];
}

/** Figures of one run. */
export interface FreshnessFigures {
  offeredPerSecond: number;
  /** Events produced per second of load, as achieved. */
  producedPerSecond: number;
  events: number;
  /** Events not visible by the end of the drain. */
  unseen: number;
  /** Produce-to-queryable latency in ms (resolution: the poll period). */
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  pollMs: number;
  /** Time one poll query took, ms. */
  pollQueryP50Ms: number;
  pollQueryP99Ms: number;
  /** Tap writer inserts (= commits) during the run and its pauses for backpressure. */
  tapCommits: number;
  tapPauses: number;
}

const PARTITIONS = 4;

/** Sent messages of one partition, as offset ranges with their send time. */
interface Segment {
  base: number;
  count: number;
  sentAt: number;
  /** How many of them a poll has seen. */
  seen: number;
}

/** Highest visible offset + 1 per `topic/partition`. */
async function visible(store: Store): Promise<Map<string, number>> {
  const rows = await store.query<{ topic: string; partition: number; next: string }>('SELECT topic, partition, max(offset) + 1 AS next FROM events GROUP BY topic, partition');
  return new Map(rows.map((r) => [`${r.topic}/${r.partition}`, Number(r.next)]));
}

/** Runs the benchmark once. */
export async function runFreshnessBench(opts: FreshnessOptions = {}): Promise<FreshnessFigures> {
  const ratePerS = opts.rate ?? 5000;
  const seconds = opts.seconds ?? 20;
  const pollMs = opts.pollMs ?? 100;
  const envBrokers = process.env.KAFKA_BROKERS?.split(',');
  const mock = opts.brokers || envBrokers ? null : await startMockCluster();
  const brokers = opts.brokers ?? envBrokers ?? mock?.brokers ?? [];
  const dataDir = mkdtempSync(join(tmpdir(), 'sy-bench-fresh-'));
  const kafka = new Kafka({ clientId: 'bench-fresh', brokers, logLevel: logLevel.NOTHING });
  const store = await openStore({ dataDir, database: 'bench' });
  const producer = kafka.producer({ allowAutoTopicCreation: true });
  const run = `bench-fresh-${randomUUID().slice(0, 8)}`;
  const topics = Array.from({ length: opts.topics ?? 4 }, (_, i) => `${run}-${i}`);
  const parts = topics.flatMap((topic) => Array.from({ length: PARTITIONS }, (_, partition) => ({ topic, partition })));
  let tap: Tap | null = null;
  try {
    await producer.connect();
    // Warm-up: one message per partition creates the topics; the tap joins and stores them before the clock runs.
    await producer.sendBatch({ topicMessages: topics.map((topic) => ({ topic, messages: Array.from({ length: PARTITIONS }, (_, partition) => ({ partition, value: 'warm-up' })) })) });
    tap = await startTap({ kafka, store, topics, groupId: `bench-${randomUUID()}`, logger: createLogger('bench', () => undefined) });
    while ([...(await visible(store)).values()].reduce((a, n) => a + n, 0) < parts.length) await sleep(pollMs);

    const segments = new Map<string, Segment[]>(parts.map((p) => [`${p.topic}/${p.partition}`, []]));
    const latencies: number[] = [];
    const pollTimes: number[] = [];
    // Each poll: per partition, the events of every segment below the visible offset that were not seen before.
    const pollOnce = async (): Promise<void> => {
      const t = performance.now();
      const vis = await visible(store);
      const now = Date.now();
      pollTimes.push(performance.now() - t);
      for (const [k, segs] of segments) {
        const next = vis.get(k) ?? 0;
        for (const s of segs) {
          const upTo = Math.min(s.base + s.count, next) - s.base;
          for (; s.seen < upTo; s.seen++) latencies.push(now - s.sentAt);
        }
      }
    };
    let polling = true;
    const poller = (async () => {
      while (polling) {
        const t = performance.now();
        await pollOnce();
        await sleep(Math.max(0, pollMs - (performance.now() - t)));
      }
    })();

    let sent = 0;
    let seq = 0;
    const send = async (n: number): Promise<void> => {
      const sentAt = Date.now();
      const byPart = new Map<string, { topic: string; partition: number; messages: Message[] }>();
      for (let j = 0; j < n; j++, seq++) {
        const p = parts[seq % parts.length]!;
        const k = `${p.topic}/${p.partition}`;
        const entry = byPart.get(k) ?? { ...p, messages: [] };
        entry.messages.push({ ...benchMessage(seq, sentAt), partition: p.partition });
        byPart.set(k, entry);
      }
      const acks: RecordMetadata[] = await producer.sendBatch({ topicMessages: [...byPart.values()].map((e) => ({ topic: e.topic, messages: e.messages })) });
      for (const a of acks) {
        const k = `${a.topicName}/${a.partition}`;
        segments.get(k)!.push({ base: Number(a.baseOffset), count: byPart.get(k)!.messages.length, sentAt, seen: 0 });
      }
    };
    // Offered load: every 50 ms, whatever brings the total to rate * elapsed. Sends overlap if one is slow.
    const sends: Promise<void>[] = [];
    const start = performance.now();
    while (performance.now() - start < seconds * 1000) {
      const due = Math.floor(((performance.now() - start) / 1000) * ratePerS) - sent;
      if (due > 0) {
        sent += due;
        sends.push(send(due));
      }
      await sleep(50);
    }
    await Promise.all(sends);
    const loadSeconds = (performance.now() - start) / 1000;
    const drainUntil = performance.now() + (opts.drainMs ?? 30_000);
    while (latencies.length < sent && performance.now() < drainUntil) await sleep(pollMs);
    polling = false;
    await poller;
    const st = tap.stats();
    const sorted = latencies.sort((a, b) => a - b);
    const polls = pollTimes.sort((a, b) => a - b);
    return {
      offeredPerSecond: ratePerS,
      producedPerSecond: Math.round(sent / loadSeconds),
      events: sent,
      unseen: sent - latencies.length,
      p50Ms: percentile(sorted, 50),
      p90Ms: percentile(sorted, 90),
      p99Ms: percentile(sorted, 99),
      maxMs: sorted[sorted.length - 1] ?? NaN,
      pollMs,
      pollQueryP50Ms: round(percentile(polls, 50), 1),
      pollQueryP99Ms: round(percentile(polls, 99), 1),
      tapCommits: st.commits,
      tapPauses: st.pauses,
    };
  } finally {
    await tap?.stop();
    await producer.disconnect();
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
    await mock?.stop();
  }
}
