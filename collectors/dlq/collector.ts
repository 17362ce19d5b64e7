/**
 * The dlq collector: builds `dead_letters` from two sources, every `intervalMs`:
 * - Kafka: the tap's `events` rows on `*.dlq` topics, copied incrementally by tap time (materialize-kafka.sql);
 * - BullMQ: each queue's failed set (queue.getFailed), one entry per job.
 * Redrive state lives in the same table as newer versions of an entry; this collector only ever writes version 0,
 * except `failed-again`, which it records when a redriven BullMQ job is back in the failed set. Rules: README.md.
 */
import { readFileSync } from 'node:fs';
import { Queue, type ConnectionOptions, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { Store, WriteResult } from '@switchyard/store';
import { systemClock, type Clock } from '@switchyard/telemetry/clock';
import { createLogger, type Logger } from '@switchyard/telemetry/log';
import { createSweepLoop, type LoopStats } from '../runtime/loop';
import { discoverQueues } from '../queues/collector';

const sql = (name: string): string => readFileSync(new URL(`./${name}`, import.meta.url), 'utf8');
const MATERIALIZE_KAFKA = sql('materialize-kafka.sql');
const WATERMARK = sql('watermark.sql');

/** Options of {@link startDlqCollector}. */
export interface DlqCollectorOptions {
  store: Store;
  /** Redis for BullMQ failed sets; without it only Kafka dead letters are collected. */
  connection?: { host?: string; port?: number; password?: string; db?: number; username?: string };
  /** Queues always covered (default none; discovered under `prefix` too). */
  queues?: string[];
  /** BullMQ key prefix (default `bull`). */
  prefix?: string;
  /** Failed jobs read per queue per sweep, newest first (default 1000). */
  maxFailedPerQueue?: number;
  /** Time between sweeps (default 10000 ms). */
  intervalMs?: number;
  /** Re-read this much before the watermark, for tap rows stored late (default 60000 ms). */
  overlapMs?: number;
  /** Start the periodic loop (default true). */
  autoStart?: boolean;
  clock?: Clock;
  logger?: Logger;
}

/** What one sweep did. */
export interface DlqSweepResult {
  /** Tap time the Kafka copy started from. */
  since: Date;
  /** BullMQ failed jobs written (new or changed). */
  failedJobs: number;
  /** Redriven jobs found failed again. */
  failedAgain: number;
  write: WriteResult;
}

/** A running dlq collector. */
export interface DlqCollector {
  sweep(): Promise<DlqSweepResult>;
  stats(): LoopStats;
  stop(): Promise<void>;
}

/** Starts the collector. */
export async function startDlqCollector(opts: DlqCollectorOptions): Promise<DlqCollector> {
  const clock = opts.clock ?? systemClock;
  const log = opts.logger ?? createLogger('collector.dlq');
  const prefix = opts.prefix ?? 'bull';
  const overlapMs = opts.overlapMs ?? 60_000;
  const maxFailed = opts.maxFailedPerQueue ?? 1000;
  const connection: ConnectionOptions | undefined = opts.connection && { ...opts.connection, maxRetriesPerRequest: null };
  const redis = opts.connection ? new Redis({ ...opts.connection, lazyConnect: true, maxRetriesPerRequest: 2 }) : undefined;
  if (redis) await redis.connect();
  const queues = new Map<string, Queue>();
  /** Last finishedOn written per entry id: a job is rewritten only when it failed again since. */
  const written = new Map<string, number>();

  const kafkaSweep = async (): Promise<Date> => {
    const [row] = await opts.store.query<{ watermark: string }>(WATERMARK);
    const wm = row ? Date.parse(`${row.watermark.replace(' ', 'T')}Z`) : 0;
    const since = new Date(Math.max(0, (Number.isFinite(wm) ? wm : 0) - overlapMs));
    await opts.store.command(MATERIALIZE_KAFKA, { since });
    return since;
  };

  const bullSweep = async (): Promise<{ rows: Record<string, unknown>[]; failedAgain: number }> => {
    if (!redis || !connection) return { rows: [], failedAgain: 0 };
    const names = new Set([...(opts.queues ?? []), ...(await discoverQueues(redis, prefix))]);
    const rows: Record<string, unknown>[] = [];
    let failedAgain = 0;
    for (const name of names) {
      let q = queues.get(name);
      if (!q) {
        q = new Queue(name, { connection, prefix });
        q.on('error', (err) => log.warn('queue client error', { queue: name, err }));
        queues.set(name, q);
      }
      const jobs = (await q.getFailed(0, maxFailed - 1)).filter((j): j is Job => Boolean(j?.id));
      const redriven = await redrivenAt(opts.store, name);
      for (const job of jobs) {
        const id = `bullmq:${name}:${job.id}`;
        const finished = job.finishedOn ?? job.timestamp;
        if (written.get(id) === finished) continue;
        const row = failedJobRow(name, job);
        const r = redriven.get(id);
        if (r !== undefined && finished > r) {
          Object.assign(row, { redrive_state: 'failed-again', redriven_at: new Date(r), version: clock.now() });
          failedAgain++;
        }
        rows.push(row);
        written.set(id, finished);
      }
    }
    return { rows, failedAgain };
  };

  const sweep = async (): Promise<DlqSweepResult> => {
    const since = await kafkaSweep();
    const { rows, failedAgain } = await bullSweep();
    const write = await opts.store.insert('dead_letters', rows);
    if (!write.ok) for (const r of rows) written.delete(String(r.id)); // try these again next sweep
    return { since, failedJobs: rows.length, failedAgain, write };
  };

  const loop = createSweepLoop({ name: 'dlq', intervalMs: opts.intervalMs ?? 10_000, minTimeoutMs: 30_000, clock, logger: log, sweep, autoStart: opts.autoStart });

  return {
    sweep,
    stats: () => loop.stats(),
    async stop() {
      await loop.stop();
      await Promise.all([...queues.values()].map((q) => q.close()));
      redis?.disconnect();
    },
  };
}

/** Redriven entries of a queue and when they were redriven (epoch ms). */
async function redrivenAt(store: Store, queue: string): Promise<Map<string, number>> {
  const rows = await store.query<{ id: string; redriven_at: string }>(
    `SELECT id, redriven_at FROM dead_letters FINAL WHERE source = 'bullmq' AND topic = {q:String} AND redrive_state = 'redriven' AND redriven_at IS NOT NULL`,
    { q: queue },
  );
  return new Map(rows.map((r) => [r.id, Date.parse(`${r.redriven_at.replace(' ', 'T')}Z`)]));
}

/** A dead_letters row for a failed BullMQ job. */
export function failedJobRow(queue: string, job: Job): Record<string, unknown> {
  const data = job.data as { orderId?: unknown; type?: unknown } | undefined;
  const stack = job.stacktrace?.at(-1) ?? '';
  const errorClass = /^(\w*Error)\b/.exec(stack)?.[1] ?? 'Error';
  const failedAt = job.finishedOn ?? job.processedOn ?? job.timestamp;
  return {
    id: `bullmq:${queue}:${job.id}`, source: 'bullmq', topic: queue, partition: -1, offset: -1, key: String(job.id),
    order_id: typeof data?.orderId === 'string' ? data.orderId : '', event_type: typeof data?.type === 'string' ? data.type : job.name,
    error_class: errorClass, error_message: job.failedReason ?? '', origin_topic: queue, origin_partition: -1, origin_offset: -1,
    group: '', attempts: job.attemptsMade, first_failed_at: new Date(job.processedOn ?? job.timestamp), failed_at: new Date(failedAt),
    payload: JSON.stringify(job.data ?? null), headers: { 'bullmq-job-name': job.name }, redrive_state: 'none', redriven_at: null,
    tapped_at: new Date(failedAt), version: 0,
  };
}
