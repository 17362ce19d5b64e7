/**
 * The tap: its own consumer group over every pipeline topic (retry and dead-letter topics included), one
 * `events` row per message, offsets committed only once the rows are durable.
 *
 * Flow: eachBatch → rows → batch writer (bounded buffer). The writer's `onFlushed` gives the rows the store
 * has; we commit, per partition, the offset after the highest durable one. The writer writes in arrival order,
 * so everything below a committed offset is stored. Rows stored but not yet committed when the tap stops or a
 * rebalance moves a partition are read again: `events` is a ReplacingMergeTree on (topic, partition, offset), so
 * the re-read collapses into the same row (count with FINAL).
 *
 * Backpressure: when the writer is under pressure (store slow or down) the consumer pauses every topic and
 * resumes once the buffer has drained; nothing is dropped and nothing past the stored rows is committed.
 *
 * New topics: kafkajs resolves a subscription (RegExp included) once, when the consumer starts. With a RegExp
 * the tap lists the broker's topics every `topicRefreshMs` and, when the matching set changed, restarts its
 * consumer on the new set (a clean stop: flush, commit, leave the group, join again).
 */
import type { Admin, Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { prefixed } from '@switchyard/config';
import type { Store } from '@switchyard/store';
import { systemClock, type Clock } from '@switchyard/telemetry/clock';
import { createLogger, type Logger } from '@switchyard/telemetry/log';
import { createBatchWriter, type BatchWriterOptions, type BatchWriterStats } from '../runtime/writer';
import { detectLosses, recordLosses, type Loss } from './losses';
import { toEventRow, type EventRow } from './row';

/** Options of {@link startTap}. */
export interface TapOptions {
  /** A kafkajs client. */
  kafka: Kafka;
  /** Where `events` and `tap_losses` live (migrated). */
  store: Store;
  /** Topics to tap: a list, or a RegExp matched against the broker's topics (re-checked every `topicRefreshMs`). */
  topics: string[] | RegExp;
  /** Consumer group (default {@link tapGroupId} of `topicPrefix`: `switchyard-tap`, or `<prefix>.switchyard-tap`). */
  groupId?: string;
  /**
   * SWITCHYARD_TOPIC_PREFIX of the deployment (default ''). Only names the default group, so that deployments
   * sharing a broker under different prefixes each keep their own tap offsets.
   */
  topicPrefix?: string;
  /** Read from the oldest message when the group has no committed offset (default true). */
  fromBeginning?: boolean;
  /** How often a RegExp subscription looks for new topics (default 30000 ms). */
  topicRefreshMs?: number;
  /** How often to compare committed offsets with low watermarks (default 30000 ms; also once at start). */
  lossSweepMs?: number;
  /**
   * Consumer session timeout (default 30000 ms). A restarted tap rejoins its group only once the broker has
   * dropped the previous member; brokers that ignore LeaveGroup (the librdkafka mock cluster) wait this long.
   */
  sessionTimeout?: number;
  /** kafkajs fetch wait; lower stops faster (default 500 ms). */
  maxWaitTimeInMs?: number;
  /** Batch writer settings (defaults: {@link TAP_WRITER_DEFAULTS}, the rest as in createBatchWriter). */
  writer?: Omit<BatchWriterOptions<EventRow>, 'store' | 'table' | 'onFlushed' | 'clock' | 'logger' | 'sizeOf'>;
  clock?: Clock;
  logger?: Logger;
}

/** Counters of a running tap. */
export interface TapStats {
  /** Messages handed to the writer. */
  consumed: number;
  /** Offset commits sent after durable writes. */
  commits: number;
  /** Commits the broker refused (a rebalance moved the partition; the rows will be re-read, deduplicated). */
  commitFailures: number;
  /** Times the consumer paused for backpressure. */
  pauses: number;
  paused: boolean;
  /** Consumer restarts for new topics. */
  restarts: number;
  /** Loss gaps recorded. */
  lossesDetected: number;
  topics: string[];
  writer: BatchWriterStats;
}

/** A running tap. */
export interface Tap {
  /** Pauses, flushes and commits what is durable, leaves the group. */
  stop(): Promise<void>;
  stats(): TapStats;
  /** Runs one loss sweep for the tap's group now and records what it found. */
  sweepLosses(): Promise<Loss[]>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms).unref());

/**
 * The tap's batch size: up to 20000 rows or 8 MiB (by {@link tapRowSize}) per insert, whichever comes first; for
 * pipeline events (~540 bytes) the byte cap ends a batch near 11k rows. Bigger than the writer's default 5000 rows
 * because each chDB insert has a fixed cost (a new part, later merged): measured with bench/src/tap-ingest.ts on 2
 * shared cores, 5000-row batches made the store fall behind (backpressure pauses) and stored ~10-30% fewer events/s.
 * Under light traffic nothing changes: a batch still leaves after `flushIntervalMs`.
 */
export const TAP_WRITER_DEFAULTS = { maxRows: 20_000, maxBytes: 8 * 1024 * 1024 } as const;

/** The size the tap's writer counts for a row: the message bytes plus the row's other columns (an estimate). */
export const tapRowSize = (r: EventRow): number => r.bytes + 200;

/** The tap's consumer group under a topic prefix, named as the bus names pipeline groups (`<prefix>.<name>`). */
export function tapGroupId(topicPrefix = ''): string {
  return prefixed({ topicPrefix }, 'switchyard-tap');
}

/** Starts the tap. Resolves once its consumer has started (joined, subscribed, running). */
export async function startTap(opts: TapOptions): Promise<Tap> {
  const groupId = opts.groupId ?? tapGroupId(opts.topicPrefix);
  const clock = opts.clock ?? systemClock;
  const log = opts.logger ?? createLogger('collector.tap');
  const admin: Admin = opts.kafka.admin();
  await admin.connect();

  let consumer: Consumer | null = null;
  let topics: string[] = [];
  let stopping = false;
  let draining = false;
  let active = 0;
  let idle: (() => void) | null = null;
  let commitChain: Promise<void> = Promise.resolve();
  const st = { consumed: 0, commits: 0, commitFailures: 0, pauses: 0, paused: false, restarts: 0, lossesDetected: 0 };

  const commit = (rows: readonly EventRow[]): Promise<void> => {
    const next = new Map<string, { topic: string; partition: number; offset: bigint }>();
    for (const r of rows) {
      const k = `${r.topic}\u0000${r.partition}`;
      const o = BigInt(r.offset) + 1n;
      const cur = next.get(k);
      if (!cur || o > cur.offset) next.set(k, { topic: r.topic, partition: r.partition, offset: o });
    }
    const c = consumer;
    // Commits run one after another so a slow early commit never lands after (and rewinds) a later one.
    commitChain = commitChain.then(async () => {
      if (!c) return;
      try {
        await c.commitOffsets([...next.values()].map((v) => ({ topic: v.topic, partition: v.partition, offset: v.offset.toString() })));
        st.commits++;
      } catch (err) {
        st.commitFailures++;
        log.warn('offset commit refused; the rows are stored and will be re-read and deduplicated', { error: err });
      }
    });
    return commitChain;
  };

  const writer = createBatchWriter<EventRow>({
    ...TAP_WRITER_DEFAULTS,
    ...opts.writer,
    store: opts.store,
    table: 'events',
    clock,
    logger: log.child('writer'),
    sizeOf: tapRowSize,
    onFlushed: commit,
  });

  const pauseAll = (): void => {
    if (!consumer || st.paused) return;
    consumer.pause(topics.map((topic) => ({ topic })));
    st.paused = true;
    st.pauses++;
    log.info('store is behind: consumer paused', { buffered: writer.stats().buffered });
    void writer.whenRelieved().then(() => {
      if (!st.paused || stopping || !consumer) return;
      consumer.resume(topics.map((topic) => ({ topic })));
      st.paused = false;
      log.info('consumer resumed', { buffered: writer.stats().buffered });
    });
  };

  const eachBatch = async ({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> => {
    active++;
    try {
      const now = clock.now();
      const rows = batch.messages.map((m) => toEventRow(batch.topic, batch.partition, m, now));
      let taken = 0;
      while (taken < rows.length) {
        const res = writer.add(rows.slice(taken));
        taken += res.accepted;
        if (res.accepted > 0) resolveOffset(rows[taken - 1]?.offset ?? '0');
        if (taken >= rows.length || res.status === 'closed') break;
        pauseAll();
        if (draining || !isRunning() || isStale()) break; // not taken: not resolved, so fetched again later
        await Promise.race([writer.whenRelieved(), sleep(1000)]);
        await heartbeat();
      }
      st.consumed += taken;
      if (writer.pressure()) pauseAll();
    } finally {
      if (--active === 0) idle?.();
    }
  };

  const resolveTopics = async (): Promise<string[]> => {
    if (Array.isArray(opts.topics)) return [...opts.topics].sort();
    const re = opts.topics;
    return (await admin.listTopics()).filter((t) => re.test(t) && !t.startsWith('__')).sort();
  };

  const startConsumer = async (list: string[]): Promise<void> => {
    topics = list;
    if (list.length === 0) {
      log.warn('no topic matches the subscription yet; will look again', { every: opts.topicRefreshMs ?? 30_000 });
      return;
    }
    const sessionTimeout = opts.sessionTimeout ?? 30_000;
    const c = opts.kafka.consumer({
      groupId,
      sessionTimeout,
      heartbeatInterval: Math.min(3000, Math.floor(sessionTimeout / 3)),
      maxWaitTimeInMs: opts.maxWaitTimeInMs ?? 500,
      retry: { retries: 10 },
    });
    c.on(c.events.CRASH, ({ payload }) => {
      // kafkajs restarts itself after a retriable crash; after any other one the tap would sit dead, so restart it.
      log.error('tap consumer crashed', { error: payload.error, restart: payload.restart });
      if (!payload.restart && !stopping && consumer === c) {
        consumer = null;
        st.restarts++;
        void c.disconnect().catch(() => undefined);
        setTimeout(() => void startConsumer(topics).catch((err: unknown) => log.error('tap restart failed', { error: err })), 1000).unref();
      }
    });
    await c.connect();
    await c.subscribe({ topics: list, fromBeginning: opts.fromBeginning ?? true });
    consumer = c;
    st.paused = false;
    await c.run({ autoCommit: false, eachBatchAutoResolve: false, partitionsConsumedConcurrently: 4, eachBatch });
    log.info('tap consuming', { group: groupId, topics: list.length });
  };

  /** Stops the current consumer cleanly: no new batches, in-flight ones finish, durable rows are committed. */
  const stopConsumer = async (): Promise<void> => {
    const c = consumer;
    if (!c) return;
    draining = true;
    try {
      c.pause(topics.map((topic) => ({ topic })));
    } catch {
      // not running yet
    }
    if (active > 0) await new Promise<void>((r) => (idle = r));
    idle = null;
    await writer.flush();
    await commitChain;
    consumer = null;
    draining = false;
    await c.disconnect();
  };

  const sweepLosses = async (): Promise<Loss[]> => {
    const losses = await detectLosses(admin, groupId, topics);
    if (losses.length) {
      const res = await recordLosses(opts.store, losses, clock.now());
      if (!res.ok) throw res.error;
      st.lossesDetected += losses.length;
      log.warn('retention removed messages before the tap read them', { gaps: losses.length, lost: losses.reduce((a, l) => a + BigInt(l.lost), 0n).toString() });
    }
    return losses;
  };
  const sweepQuietly = (): Promise<void> =>
    sweepLosses().then(
      () => undefined,
      (err: unknown) => log.warn('loss sweep failed', { error: err }),
    );

  const initial = await resolveTopics();
  topics = initial;
  await sweepQuietly(); // before the consumer jumps past a gap and commits over it
  await startConsumer(initial);

  let busy = false;
  const refresh = async (): Promise<void> => {
    if (busy || stopping) return;
    busy = true;
    try {
      const next = await resolveTopics();
      if (next.join('\n') !== topics.join('\n')) {
        log.info('topic set changed: restarting the consumer', { before: topics.length, after: next.length });
        await stopConsumer();
        st.restarts++;
        await startConsumer(next);
      }
    } catch (err) {
      log.error('topic refresh failed', { error: err });
    } finally {
      busy = false;
    }
  };
  const refreshTimer = Array.isArray(opts.topics) ? null : setInterval(() => void refresh(), opts.topicRefreshMs ?? 30_000);
  refreshTimer?.unref();
  const sweepTimer = setInterval(() => void sweepQuietly(), opts.lossSweepMs ?? 30_000);
  sweepTimer.unref();

  return {
    async stop() {
      if (stopping) return;
      stopping = true;
      if (refreshTimer) clearInterval(refreshTimer);
      clearInterval(sweepTimer);
      while (busy) await sleep(20);
      await stopConsumer();
      await writer.shutdown();
      await admin.disconnect();
    },
    stats: () => ({ ...st, topics: [...topics], writer: writer.stats() }),
    sweepLosses,
  };
}
