/**
 * Tap ingest rate: produce `n` small envelopes into a fresh 4-partition topic, then time the tap from start until
 * `count() FINAL` reaches n in embedded ClickHouse. Needs KAFKA_BROKERS (or starts the librdkafka mock cluster).
 * Throwaway figures for BENCHMARKS.md; no assertions.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { openStore } from '@switchyard/store';
import { newEnvelope } from '@switchyard/contracts/envelope';
import { createLogger } from '@switchyard/telemetry/log';
import { startMockCluster } from '../../apps/launcher/src/kafka-mock';
import { startTap } from '../../collectors/tap/tap';

/** Figures of one run. */
export interface TapIngestFigures {
  /** Events produced. */
  produced: number;
  /** Events the broker still held when the tap started (the mock trims each partition to ~5 MB), all stored. */
  events: number;
  /** Seconds from tap start to the last row stored (includes the ~3 s group join). */
  seconds: number;
  /** events / seconds. */
  eventsPerSecond: number;
  /** Seconds from the first row stored to the last: the steady-state rate without the group join. */
  steadySeconds: number;
  steadyEventsPerSecond: number;
  avgBytes: number;
}

/** Runs the benchmark with `n` events (default 100000). */
export async function runTapIngestBench(n = 100_000): Promise<TapIngestFigures> {
  const mock = process.env.KAFKA_BROKERS ? null : await startMockCluster();
  const brokers = process.env.KAFKA_BROKERS?.split(',') ?? mock?.brokers ?? [];
  const dataDir = mkdtempSync(join(tmpdir(), 'sy-bench-tap-'));
  const kafka = new Kafka({ clientId: 'bench-tap', brokers, logLevel: logLevel.NOTHING });
  const store = await openStore({ dataDir, database: 'bench' });
  const producer = kafka.producer();
  const topic = `bench-tap-${randomUUID().slice(0, 8)}`;
  try {
    await producer.connect();
    const now = Date.now();
    let bytes = 0;
    for (let i = 0; i < n; i += 2000) {
      const messages = Array.from({ length: Math.min(2000, n - i) }, (_, j) => {
        const e = newEnvelope({ type: 'OrderCreated', version: 1, orderId: `o-${i + j}`, source: 'bench', data: { sku: 'x', qty: 1 }, now });
        const value = JSON.stringify(e);
        bytes += value.length;
        return { key: e.orderId, value, headers: { 'sy-event-id': e.id, 'sy-event-type': e.type } };
      });
      await producer.send({ topic, messages });
    }
    // The mock cluster keeps ~5 MB per partition: count what the broker still has, not what was produced.
    const admin = kafka.admin();
    await admin.connect();
    const available = (await admin.fetchTopicOffsets(topic)).reduce((a, p) => a + Number(BigInt(p.high) - BigInt(p.low)), 0);
    await admin.disconnect();
    const count = async (): Promise<number> => Number((await store.query<{ c: string }>('SELECT count() AS c FROM events FINAL WHERE topic = {t:String}', { t: topic }))[0]?.c);
    const t0 = performance.now();
    const tap = await startTap({ kafka, store, topics: [topic], groupId: `bench-${randomUUID()}`, logger: createLogger('bench', () => undefined) });
    let first = 0;
    let c = 0;
    while (c < available) {
      await new Promise((r) => setTimeout(r, 100));
      c = await count();
      if (c > 0 && !first) first = performance.now();
    }
    const t1 = performance.now();
    await tap.stop();
    const seconds = (t1 - t0) / 1000;
    const steadySeconds = (t1 - first) / 1000;
    return { produced: n, events: available, seconds, eventsPerSecond: Math.round(available / seconds), steadySeconds, steadyEventsPerSecond: Math.round(available / Math.max(steadySeconds, 0.001)), avgBytes: Math.round(bytes / n) };
  } finally {
    await producer.disconnect();
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
    await mock?.stop();
  }
}
