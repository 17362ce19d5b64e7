/**
 * The queues collector: per BullMQ queue (configured, plus discovered by scanning `<prefix>:*:meta`), job counts
 * by state every `intervalMs` into `queue_depth`, and the job event stream (QueueEvents) into `queue_job_events`,
 * with wait and processing times read back from the job on completed and failed. Rules: README.md.
 */
import { Job, Queue, QueueEvents, type ConnectionOptions } from 'bullmq';
import { Redis } from 'ioredis';
import type { Store, WriteResult } from '@switchyard/store';
import { systemClock, type Clock } from '@switchyard/telemetry/clock';
import { createLogger, type Logger } from '@switchyard/telemetry/log';
import { createSweepLoop, type LoopStats } from '../runtime/loop';
import { createBatchWriter, type BatchWriter } from '../runtime/writer';

/** Job states counted per queue by BullMQ's getJobCounts. */
export const JOB_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'failed', 'completed', 'waiting-children'] as const;
/**
 * States recorded in queue_depth: JOB_STATES plus `paused`. BullMQ 6 has no paused list (a paused queue keeps its
 * jobs in wait), so `paused` is the waiting count while the queue is paused and 0 otherwise.
 */
export const DEPTH_STATES = [...JOB_STATES, 'paused'] as const;
/** QueueEvents events recorded. `retried` is derived: a job sent back to wait or delay after a failed attempt. */
export const JOB_EVENTS = ['added', 'waiting', 'active', 'completed', 'failed', 'retries-exhausted', 'stalled', 'delayed', 'progress'] as const;

/** Options of {@link startQueueCollector}. */
export interface QueueCollectorOptions {
  /** Redis connection options (ioredis), as BullMQ takes them. */
  connection: { host?: string; port?: number; password?: string; db?: number; username?: string };
  store: Store;
  /** Queues always covered (default none; discovery finds the rest). */
  queues?: string[];
  /** BullMQ key prefix (default `bull`). */
  prefix?: string;
  /** Scan Redis for queues (default true). */
  discover?: boolean;
  /** Time between depth sweeps (default 5000 ms). */
  intervalMs?: number;
  /** Start the periodic loop (default true); with false, only `sweep()` runs. */
  autoStart?: boolean;
  clock?: Clock;
  logger?: Logger;
}

/** A queue_job_events row. */
export interface JobEventRow extends Record<string, unknown> {
  ts: Date;
  queue: string;
  job_id: string;
  event: string;
  attempts: number;
  wait_ms: number | null;
  processing_ms: number | null;
  failed_reason: string;
  order_id: string;
}

/** What one depth sweep found. */
export interface QueueSweepResult {
  ts: number;
  /** Counts by state per queue, as BullMQ reported them. */
  counts: Record<string, Record<string, number>>;
  write: WriteResult;
}

/** A running queues collector. */
export interface QueueCollector {
  /** Discovers queues and records their depth now. */
  sweep(): Promise<QueueSweepResult>;
  /** Queues being watched. */
  queues(): string[];
  /** Writes buffered job events now. */
  flush(): Promise<void>;
  stats(): LoopStats;
  /** Stops the loop and the event listeners, writes what is buffered, closes connections. */
  stop(): Promise<void>;
}

interface Watched {
  queue: Queue;
  events: QueueEvents;
}

/** Queue names under `prefix`, from the `<prefix>:<queue>:meta` keys every BullMQ queue has. */
export async function discoverQueues(redis: Redis, prefix: string): Promise<string[]> {
  const found = new Set<string>();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*:meta`, 'COUNT', 1000);
    cursor = next;
    for (const k of keys) found.add(k.slice(prefix.length + 1, -':meta'.length));
  } while (cursor !== '0');
  return [...found].sort();
}

/** Starts the collector. */
export async function startQueueCollector(opts: QueueCollectorOptions): Promise<QueueCollector> {
  const clock = opts.clock ?? systemClock;
  const log = opts.logger ?? createLogger('collector.queues');
  const prefix = opts.prefix ?? 'bull';
  const connection: ConnectionOptions = { ...opts.connection, maxRetriesPerRequest: null };
  const redis = new Redis({ ...opts.connection, lazyConnect: true, maxRetriesPerRequest: 2 });
  await redis.connect();
  const watched = new Map<string, Watched>();
  const writer: BatchWriter<JobEventRow> = createBatchWriter<JobEventRow>({ store: opts.store, table: 'queue_job_events', clock, logger: log, flushIntervalMs: 500 });

  const record = (rows: JobEventRow[]): void => {
    const r = writer.add(rows);
    if (r.status !== 'accepted') log.warn('job event rows not buffered', { status: r.status, offered: rows.length, accepted: r.accepted });
  };

  const onEvent = async (name: string, event: string, args: Record<string, unknown>, id: string): Promise<void> => {
    const jobId = String(args.jobId ?? '');
    const ts = new Date(Number(id.split('-')[0]) || clock.now());
    const row: JobEventRow = { ts, queue: name, job_id: jobId, event, attempts: 0, wait_ms: null, processing_ms: null, failed_reason: '', order_id: '' };
    if (event === 'failed') row.failed_reason = String(args.failedReason ?? '');
    if (event === 'retries-exhausted') row.attempts = Number(args.attemptsMade ?? 0);
    const needJob = event === 'completed' || event === 'failed' || event === 'added' || event === 'delayed' || (event === 'waiting' && args.prev === 'active');
    const rows = [row];
    if (needJob) {
      const job = await Job.fromId(watched.get(name)!.queue, jobId).catch(() => undefined);
      if (job) {
        row.attempts = job.attemptsMade;
        const data = job.data as { orderId?: unknown } | undefined;
        if (typeof data?.orderId === 'string') row.order_id = data.orderId;
        if (event === 'completed' || event === 'failed') {
          if (job.processedOn) row.wait_ms = job.processedOn - job.timestamp;
          if (job.processedOn && job.finishedOn) row.processing_ms = job.finishedOn - job.processedOn;
          if (event === 'failed' && !row.failed_reason) row.failed_reason = job.failedReason ?? '';
        }
        // Back to waiting straight from active, or delayed after an attempt: BullMQ retrying a failed attempt.
        if ((event === 'waiting' || event === 'delayed') && job.attemptsMade > 0) {
          rows.push({ ...row, event: 'retried', failed_reason: job.failedReason ?? '' });
        }
      }
    }
    record(rows);
  };

  const watch = (name: string): void => {
    if (watched.has(name)) return;
    const queue = new Queue(name, { connection, prefix });
    const events = new QueueEvents(name, { connection, prefix });
    queue.on('error', (err) => log.warn('queue client error', { queue: name, err }));
    events.on('error', (err) => log.warn('queue events error', { queue: name, err }));
    for (const ev of JOB_EVENTS) {
      events.on(ev as 'added', (args: unknown, id: string) => {
        onEvent(name, ev, args as Record<string, unknown>, id).catch((err: unknown) => log.warn('job event not recorded', { queue: name, event: ev, err }));
      });
    }
    watched.set(name, { queue, events });
  };

  for (const q of opts.queues ?? []) watch(q);
  await Promise.all([...watched.values()].map((w) => w.events.waitUntilReady()));

  const sweep = async (): Promise<QueueSweepResult> => {
    const ts = clock.now();
    if (opts.discover ?? true) {
      const fresh = (await discoverQueues(redis, prefix)).filter((q) => !watched.has(q));
      for (const q of fresh) watch(q);
      await Promise.all(fresh.map((q) => watched.get(q)!.events.waitUntilReady()));
    }
    const counts: Record<string, Record<string, number>> = {};
    const rows: Record<string, unknown>[] = [];
    for (const [name, w] of watched) {
      const c = await w.queue.getJobCounts(...JOB_STATES);
      c.paused = (await w.queue.isPaused()) ? (c.waiting ?? 0) : 0;
      counts[name] = c;
      for (const state of DEPTH_STATES) rows.push({ ts: new Date(ts), queue: name, state, count: c[state] ?? 0 });
    }
    const write = await opts.store.insert('queue_depth', rows);
    return { ts, counts, write };
  };

  const loop = createSweepLoop({ name: 'queues', intervalMs: opts.intervalMs ?? 5000, minTimeoutMs: 15_000, clock, logger: log, sweep, autoStart: opts.autoStart });

  return {
    sweep,
    queues: () => [...watched.keys()].sort(),
    flush: () => writer.flush(),
    stats: () => loop.stats(),
    async stop() {
      await loop.stop();
      await Promise.all([...watched.values()].map(async (w) => {
        await w.events.close();
        await w.queue.close();
      }));
      await writer.shutdown();
      redis.disconnect();
    },
  };
}
