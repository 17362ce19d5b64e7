/**
 * Actions bench: replay and redrive throughput at full velocity (uncapped), and the render time of /metrics with
 * 10,000 lag series. Runs the engines directly (no HTTP) over embedded ClickHouse, Redis (REDIS_URL or
 * 127.0.0.1:6379, under a unique key prefix, removed after) and KAFKA_BROKERS (or the librdkafka mock cluster).
 * Throughput is taken over the publish phase (from the first batch out to the last, from progress events) and
 * over the whole run (which adds the broker read, ~3 s of group join on the mock, and bookkeeping).
 * Targets: 5,000 messages/s; /metrics under 100 ms. Throwaway figures for BENCHMARKS.md; no assertions.
 * `runMetricsBench` (bench name `metrics`) measures /metrics alone, on its own store, without Redis or Kafka.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { openStore } from '@switchyard/store';
import type { Store } from '@switchyard/store/types';
import { systemClock } from '@switchyard/telemetry/clock';
import { createLogger } from '@switchyard/telemetry/log';
import { redrive } from '../../apps/api/src/actions/redrive';
import { replay } from '../../apps/api/src/actions/replay';
import { readAction, type ActionKind } from '../../apps/api/src/actions/state';
import type { ActionContext } from '../../apps/api/src/handlers/throttles';
import { createMetricsRegistry } from '../../apps/api/src/metrics/registry';
import { createMetricsSource } from '../../apps/api/src/metrics/source';
import { progressBus, type ProgressEvent } from '../../apps/api/src/progress';
import { resolveOptions, type Ctx } from '../../apps/api/src/types';
import { startMockCluster } from '../../apps/launcher/src/kafka-mock';
import { deleteKeys } from '@switchyard/bus/testing';

/** Throughput of one action run. */
export interface ActionFigures {
  messages: number;
  /** Messages per second over the publish phase. */
  publishPerSecond: number;
  /** Messages per second from start to finish (reads, joins and bookkeeping included). */
  overallPerSecond: number;
  seconds: number;
}

/** What the bench measured. */
export interface ActionsBenchResult {
  replay: ActionFigures;
  redrive: ActionFigures;
  metrics: MetricsRenderFigures;
  targets: { messagesPerSecond: number; metricsMs: number };
}

/** Render time of GET /metrics's registry. Cold renders query ClickHouse each time; warm ones reuse the source's cache. */
export interface MetricsRenderFigures {
  /** switchyard_consumer_lag_messages series in the body. */
  series: number;
  medianMs: number;
  p90Ms: number;
  warmMedianMs: number;
  /** Renders measured, cold and warm each (after one unmeasured render). */
  renders: number;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function waitDone(ctx: Ctx, kind: ActionKind, id: string, events: (ProgressEvent & { at: number })[]): Promise<ActionFigures> {
  for (;;) {
    const rec = await readAction(ctx.store, kind, id, Date.now());
    if (rec && ['done', 'failed', 'cancelled'].includes(rec.state)) {
      if (rec.state !== 'done') throw new Error(`${kind} ended ${rec.state}: ${rec.detail}`);
      const mine = events.filter((e) => e.id === id && e.done > 0);
      const first = mine[0];
      const last = mine.at(-1);
      const seconds = (Date.parse(rec.finishedAt ?? '') - Date.parse(rec.startedAt ?? '')) / 1000;
      const publishSeconds = first && last && last.at > first.at ? (last.at - first.at) / 1000 : seconds;
      return { messages: rec.done, publishPerSecond: Math.round((rec.done - (first?.done ?? 0)) / publishSeconds), overallPerSecond: Math.round(rec.done / seconds), seconds };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function seedDeadLetters(store: Store, n: number, dlqTopic: string, origin: string): Promise<void> {
  const now = new Date();
  for (let i = 0; i < n; i += 5000) {
    const rows = Array.from({ length: Math.min(5000, n - i) }, (_, j) => {
      const k = i + j;
      const payload = JSON.stringify({ id: `e-${k}`, type: 'PaymentAuthorized', version: 1, orderId: `o-${k}`, data: { amount: 12.5, currency: 'EUR', pad: 'x'.repeat(150) } });
      return { id: `kafka:${dlqTopic}:${k % 4}:${k}`, source: 'kafka', topic: dlqTopic, partition: k % 4, offset: k, key: `o-${k}`, order_id: `o-${k}`, event_type: 'PaymentAuthorized', error_class: 'Error', error_message: 'bench', origin_topic: origin, origin_partition: k % 4, origin_offset: k, group: 'bench', attempts: 4, first_failed_at: now, failed_at: now, payload, headers: { 'sy-event-id': `e-${k}`, 'sy-original-topic': origin, 'sy-attempt': '4', 'sy-error-class': 'Error' }, redrive_state: 'none', redriven_at: null, tapped_at: now, version: 0 };
    });
    const r = await store.insert('dead_letters', rows);
    if (!r.ok) throw r.error;
  }
}

/** Runs the bench with `n` messages per action (default 20000) and 200 groups × 50 partitions of lag. */
export async function runActionsBench(n = 20_000, groups = 200, partitions = 50): Promise<ActionsBenchResult> {
  const mock = process.env.KAFKA_BROKERS ? null : await startMockCluster();
  const brokers = process.env.KAFKA_BROKERS?.split(',') ?? mock?.brokers ?? [];
  const dataDir = mkdtempSync(join(tmpdir(), 'sy-bench-actions-'));
  const store = await openStore({ dataDir, database: 'bench' });
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const prefix = `bench-${randomUUID()}:`;
  const kafka = new Kafka({ clientId: 'bench-actions', brokers, logLevel: logLevel.NOTHING });
  const logger = createLogger('bench.actions', () => undefined);
  const config = { adminToken: '', topicPrefix: '', api: { redisPrefix: prefix, kafkaTimeoutMs: 10_000 } };
  const ctx: Ctx = { store, redis, kafka, clock: systemClock, logger, config, options: resolveOptions(config) };
  const act: ActionContext = { principal: { tokenId: 'bench', name: 'bench', role: 'admin', via: 'bearer' }, requestId: 'bench' };
  const events: (ProgressEvent & { at: number })[] = [];
  const unsubscribe = progressBus.subscribe((e) => events.push({ ...e, at: Date.now() }));
  try {
    // Replay: n messages of ~300 bytes, read back from the broker and re-published to the sandbox topic.
    const topic = `bench-replay-${randomUUID().slice(0, 8)}`;
    const producer = kafka.producer();
    await producer.connect();
    for (let i = 0; i < n; i += 2000) {
      await producer.send({ topic, messages: Array.from({ length: Math.min(2000, n - i) }, (_, j) => ({ key: `o-${i + j}`, value: JSON.stringify({ id: `e-${i + j}`, pad: 'x'.repeat(240) }), headers: { 'sy-event-id': `e-${i + j}` } })) });
    }
    await producer.disconnect();
    const r = await replay(ctx, act, { selection: { topic }, target: 'sandbox', reason: 'bench', velocity: Infinity, limit: 100_000, dryRun: false });
    if (r.dryRun) throw new Error('unexpected preview');
    const replayFigures = await waitDone(ctx, 'replay', r.id, events);

    // Redrive: n dead letters to their origin topic.
    const dlqTopic = `bench-${randomUUID().slice(0, 8)}.dlq`;
    await seedDeadLetters(store, n, dlqTopic, `bench-origin-${randomUUID().slice(0, 8)}`);
    const d = await redrive(ctx, act, { filter: { topic: dlqTopic }, velocity: Infinity, reason: 'bench', dryRun: false });
    if (d.dryRun) throw new Error('unexpected preview');
    const redriveFigures = await waitDone(ctx, 'redrive', d.id, events);

    const metrics = await measureMetricsRender(store, groups, partitions);
    return {
      replay: replayFigures,
      redrive: redriveFigures,
      metrics,
      targets: { messagesPerSecond: 5000, metricsMs: 100 },
    };
  } finally {
    unsubscribe();
    await deleteKeys(redis, prefix);
    redis.disconnect();
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
    await mock?.stop();
  }
}

const round1 = (x: number): number => Math.round(x * 10) / 10;

/**
 * Seeds one sweep of `groups` × `partitions` lag rows into `store` and renders /metrics's registry `renders` times
 * cold (cache 0: every family queried) and as many warm (inside the cache window: only formatting), with the
 * per-partition limit above the series count so every partition is a series.
 */
export async function measureMetricsRender(store: Store, groups: number, partitions: number, renders = 20): Promise<MetricsRenderFigures> {
  const now = new Date();
  const lag = [];
  for (let g = 0; g < groups; g++) for (let p = 0; p < partitions; p++) lag.push({ ts: now, group: `bench-g${g}`, topic: `bench-t${g % 20}`, partition: p, committed: 100, log_end: 150, low: 0, lag_messages: 50, lag_seconds: 1.5, no_commit: 0 });
  const w = await store.insert('consumer_lag', lag);
  if (!w.ok) throw w.error;
  const logger = createLogger('bench.metrics', () => undefined);
  const render = async (cacheMs: number): Promise<{ times: number[]; series: number }> => {
    const registry = createMetricsRegistry({ source: createMetricsSource(store, systemClock, cacheMs), logger, now: () => Date.now(), partitionSeriesLimit: groups * partitions + 1 });
    const times: number[] = [];
    let series = 0;
    for (let i = 0; i <= renders; i++) {
      const t0 = performance.now();
      const text = await registry.metrics();
      if (i > 0) times.push(performance.now() - t0);
      series = text.split('\n').filter((l) => l.startsWith('switchyard_consumer_lag_messages{')).length;
    }
    return { times, series };
  };
  const cold = await render(0);
  const warm = await render(600_000);
  const sorted = [...cold.times].sort((a, b) => a - b);
  return { series: cold.series, medianMs: round1(median(cold.times)), p90Ms: round1(sorted[Math.floor(sorted.length * 0.9)] ?? NaN), warmMedianMs: round1(median(warm.times)), renders };
}

/** /metrics alone: 200 groups × 50 partitions (10,000 lag series) on a fresh embedded store. Target under 100 ms. */
export async function runMetricsBench(groups = 200, partitions = 50): Promise<MetricsRenderFigures & { targetMs: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sy-bench-metrics-'));
  const store = await openStore({ dataDir, database: 'bench' });
  try {
    return { ...(await measureMetricsRender(store, groups, partitions)), targetMs: 100 };
  } finally {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(`${JSON.stringify(await runActionsBench(), null, 2)}\n`);
}
