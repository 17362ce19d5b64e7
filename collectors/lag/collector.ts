/**
 * The lag collector: every `intervalMs`, for every consumer group it can find, committed offsets against the log
 * end per partition, lag in messages and in seconds, and a status per group judged over a sliding window.
 * Rows go to `consumer_lag` and `consumer_group_status`. Rules and limits: README.md.
 */
import type { Admin, Kafka } from 'kafkajs';
import type { Store, WriteResult } from '@switchyard/store';
import { systemClock, type Clock } from '@switchyard/telemetry/clock';
import { createLogger, type Logger } from '@switchyard/telemetry/log';
import { createPeriodicLoop, type LoopStats } from '../runtime/loop';
import { detectLosses, recordLosses } from '../tap/losses';
import { createBulkOffsets } from './bulk';
import { groupsFromTopicNames, OffsetReader, type Watermarks } from './offsets';
import { MessageProber, type ProbeTarget } from './probe';
import { referenceGroups } from './stage-lag';
import { evaluateGroupStatus, type GroupSample, type GroupStatus, type StatusOptions } from './status';

/** Options of {@link startLagCollector}. */
export interface LagCollectorOptions {
  kafka: Kafka;
  store: Store;
  /** Groups always covered, listed by the broker or not (default none). */
  groups?: string[];
  /** Time between sweeps (default 5000 ms). */
  intervalMs?: number;
  /** Budget of one sweep (default max(3 x intervalMs, 30000) ms). */
  timeoutMs?: number;
  /** Also look for the reference pipeline's groups (GROUPS, under `topicPrefix`) (default true). */
  includeReferenceGroups?: boolean;
  /** SWITCHYARD_TOPIC_PREFIX of the pipeline watched: its groups are `<prefix>.inventory-svc`, ... (default ''). */
  topicPrefix?: string;
  /** Lagging partitions whose oldest unconsumed message is fetched per sweep, largest lag first (default 64). */
  maxProbesPerSweep?: number;
  /** How long a sweep waits for probed messages (default 3000 ms). */
  probeWaitMs?: number;
  /** Status rules (window of 10 sweeps by default; see status.ts). */
  status?: StatusOptions;
  /** Start the periodic loop (default true); with false, only `sweep()` runs. */
  autoStart?: boolean;
  clock?: Clock;
  logger?: Logger;
}

/** Lag of one partition of one group in one sweep. */
export interface PartitionLag {
  topic: string;
  partition: number;
  committed: number;
  logEnd: number;
  low: number;
  lagMessages: number;
  /** Age of the oldest unconsumed message in seconds; 0 without lag; null when not probed this sweep. */
  lagSeconds: number | null;
  /** The group has no committed offset here: lag counts from the low watermark. */
  noCommit: boolean;
}

/** One group in one sweep. */
export interface GroupLag {
  group: string;
  status: GroupStatus;
  reason: string;
  lagMessages: number;
  lagSeconds: number | null;
  partitions: PartitionLag[];
}

/** What one sweep found and wrote. */
export interface SweepResult {
  ts: number;
  groups: GroupLag[];
  /** Partitions whose oldest unconsumed message was fetched this sweep. */
  probed: number;
  /** Lagging partitions left unprobed (cap reached or message not read in time). */
  unprobed: number;
  /** Gaps retention opened before a group read them, recorded in tap_losses (via collectors/tap/losses). */
  losses: number;
  /** False when the broker cannot list groups (mock cluster). */
  brokerListsGroups: boolean;
  write: WriteResult;
  /** Where the sweep's time went (ms, monotonic): reading offsets, probing message ages, writing rows (and losses), in all. */
  timings: { offsetsMs: number; probeMs: number; writeMs: number; totalMs: number };
}

/** A running lag collector. */
export interface LagCollector {
  /** Runs one sweep now (serialised with the periodic ones). */
  sweep(signal?: AbortSignal): Promise<SweepResult>;
  /** Counters of the periodic loop. */
  stats(): LoopStats;
  /** Stops the loop, waits for the sweep in flight, leaves the prober group and disconnects the admin client. */
  stop(): Promise<void>;
}

/** Thrown by a periodic sweep whose rows the store refused (the loop counts it; the next sweep supersedes them). */
export class LagWriteError extends Error {
  readonly code = 'LAG_WRITE_FAILED';
  readonly retriable = true;
  constructor(cause: unknown) {
    super(`lag rows were not stored: ${(cause as Error).message}`, { cause });
    this.name = 'LagWriteError';
  }
}

const TS_CACHE_MAX = 50_000;

/** Starts the lag collector. */
export async function startLagCollector(opts: LagCollectorOptions): Promise<LagCollector> {
  const clock = opts.clock ?? systemClock;
  const log = opts.logger ?? createLogger('collector.lag');
  const intervalMs = opts.intervalMs ?? 5000;
  const windowSize = opts.status?.windowSize ?? 10;
  const maxProbes = opts.maxProbesPerSweep ?? 64;
  const admin: Admin = opts.kafka.admin();
  await admin.connect();
  const bulk = await createBulkOffsets(opts.kafka);
  if (!bulk) log.warn('kafkajs private cluster API not found: reading offsets topic by topic (slow past ~500 topics)');
  const reader = new OffsetReader(admin, log, bulk);
  const prober = new MessageProber(opts.kafka, { logger: log, waitMs: opts.probeWaitMs ?? 3000 });
  const history = new Map<string, GroupSample[]>();
  const committedSince = new Map<string, { committed: number; since: number }>();
  // Timestamps of messages by `topic:partition:offset`: immutable, so shared by groups and kept across sweeps.
  const tsCache = new Map<string, number>();
  let chain: Promise<unknown> = Promise.resolve();

  const candidateGroups = async (topics: readonly string[]): Promise<{ groups: string[]; configured: Set<string> }> => {
    const configured = new Set(opts.groups ?? []);
    const listed = await reader.listGroups();
    const all = new Set([...configured, ...(listed ?? []), ...groupsFromTopicNames(topics)]);
    if (opts.includeReferenceGroups ?? true) for (const g of referenceGroups(opts.topicPrefix)) all.add(g);
    for (const g of all) if (g.startsWith(prober.groupPrefix)) all.delete(g);
    return { groups: [...all].sort(), configured };
  };

  const runSweep = async (signal?: AbortSignal): Promise<SweepResult> => {
    const ts = clock.now();
    const started = performance.now();
    const topics = await reader.listTopics();
    const { groups, configured } = await candidateGroups(topics);
    const committed = new Map<string, Awaited<ReturnType<OffsetReader['committed']>> | Error>();
    const answers = await Promise.all(groups.map((g) => reader.committed(g, topics).catch((err: unknown) => err as Error)));
    groups.forEach((g, i) => committed.set(g, answers[i]!));
    signal?.throwIfAborted();
    const wanted = new Set<string>();
    for (const c of committed.values()) if (!(c instanceof Error)) for (const p of c) wanted.add(p.topic);
    const marks = await reader.watermarks([...wanted]);
    const offsetsDone = performance.now();
    const wm = (topic: string, partition: number): Watermarks | undefined => marks.get(topic)?.find((m) => m.partition === partition);

    const result: GroupLag[] = [];
    const probeWanted: (ProbeTarget & { lag: number })[] = [];
    for (const [group, c] of committed) {
      if (c instanceof Error) {
        result.push({ group, status: 'ERROR', reason: '', lagMessages: 0, lagSeconds: null, partitions: [] });
        pushHistory(group, { ts, partitions: [], error: c.message });
        continue;
      }
      if (c.length === 0 && !configured.has(group)) continue; // not a live group (reference group not running)
      const parts: PartitionLag[] = [];
      for (const p of c) {
        const w = wm(p.topic, p.partition);
        if (!w) continue;
        const noCommit = p.committed < 0;
        const lagMessages = Math.max(0, noCommit ? w.high - w.low : w.high - p.committed);
        const at = Math.max(noCommit ? w.low : p.committed, w.low);
        const cached = tsCache.get(`${p.topic}:${p.partition}:${at}`);
        const lagSeconds = lagMessages === 0 ? 0 : cached !== undefined ? Math.max(0, (ts - cached) / 1000) : null;
        if (lagSeconds === null) probeWanted.push({ topic: p.topic, partition: p.partition, offset: at, lag: lagMessages });
        parts.push({ topic: p.topic, partition: p.partition, committed: p.committed, logEnd: w.high, low: w.low, lagMessages, lagSeconds, noCommit });
      }
      result.push({ group, status: 'OK', reason: '', lagMessages: 0, lagSeconds: null, partitions: parts });
    }

    // Probe the largest lags first, once per distinct offset, within the cap.
    const unique = new Map<string, ProbeTarget & { lag: number }>();
    for (const t of probeWanted.sort((a, b) => b.lag - a.lag)) unique.set(`${t.topic}:${t.partition}:${t.offset}`, t);
    const targets = [...unique.values()].slice(0, maxProbes);
    const probeStart = performance.now();
    let found = new Map<string, number>();
    if (targets.length > 0) {
      try {
        found = await prober.probe(targets, signal);
      } catch (err) {
        log.warn('lag-in-seconds probe failed; lag_seconds stays empty this sweep', { err });
      }
    }
    for (const [k, v] of found) tsCache.set(k, v);
    while (tsCache.size > TS_CACHE_MAX) tsCache.delete(tsCache.keys().next().value!);

    let unprobed = 0;
    for (const g of result) {
      for (const p of g.partitions) {
        if (p.lagSeconds !== null) continue;
        const hit = tsCache.get(`${p.topic}:${p.partition}:${Math.max(p.noCommit ? p.low : p.committed, p.low)}`);
        if (hit !== undefined) p.lagSeconds = Math.max(0, (ts - hit) / 1000);
        else unprobed++;
      }
      if (g.status === 'ERROR') {
        Object.assign(g, evaluateGroupStatus(history.get(g.group) ?? [], opts.status));
        continue;
      }
      g.lagMessages = g.partitions.reduce((s, p) => s + p.lagMessages, 0);
      const secs = g.partitions.map((p) => p.lagSeconds).filter((s): s is number => s !== null);
      g.lagSeconds = secs.length ? Math.max(...secs) : null;
      pushHistory(g.group, { ts, partitions: g.partitions.map((p) => sampleOf(g.group, p, ts)) });
      Object.assign(g, evaluateGroupStatus(history.get(g.group)!, opts.status));
    }
    const writeStart = performance.now();
    const write = await writeRows(opts.store, ts, result);
    const losses = await recordGroupLosses(result, ts);
    const end = performance.now();
    const timings = { offsetsMs: offsetsDone - started, probeMs: writeStart - probeStart, writeMs: end - writeStart, totalMs: end - started };
    return { ts, groups: result, probed: found.size, unprobed, losses, brokerListsGroups: reader.brokerListsGroups, write, timings };
  };

  // Retention passed a committed offset: let the tap's loss detector name the gap (only for groups that show one).
  const recordGroupLosses = async (groups: readonly GroupLag[], ts: number): Promise<number> => {
    let n = 0;
    for (const g of groups) {
      const behind = [...new Set(g.partitions.filter((p) => !p.noCommit && p.committed < p.low).map((p) => p.topic))];
      if (behind.length === 0) continue;
      try {
        const losses = await detectLosses(admin, g.group, behind);
        const w = await recordLosses(opts.store, losses, ts);
        if (!w.ok) log.warn('tap_losses rows were not stored', { group: g.group, err: w.error });
        n += losses.length;
      } catch (err) {
        log.warn('loss detection failed', { group: g.group, err });
      }
    }
    return n;
  };

  const pushHistory = (group: string, s: GroupSample): void => {
    let h = history.get(group);
    if (!h) history.set(group, (h = []));
    h.push(s);
    if (h.length > windowSize) h.splice(0, h.length - windowSize);
  };

  const sampleOf = (group: string, p: PartitionLag, ts: number): GroupSample['partitions'][number] => {
    const k = `${group}\u0000${p.topic}\u0000${p.partition}`;
    const prev = committedSince.get(k);
    const since = prev && prev.committed === p.committed ? prev.since : ts;
    committedSince.set(k, { committed: p.committed, since });
    return { topic: p.topic, partition: p.partition, committed: p.committed, logEnd: p.logEnd, lag: p.lagMessages, committedSince: since };
  };

  const sweep = (signal?: AbortSignal): Promise<SweepResult> => {
    const next = chain.then(() => runSweep(signal));
    chain = next.catch(() => undefined);
    return next;
  };

  const loop = createPeriodicLoop({
    name: 'lag',
    intervalMs,
    timeoutMs: opts.timeoutMs ?? Math.max(3 * intervalMs, 30_000),
    clock,
    logger: log,
    onError: (err) => log.error('lag sweep failed', { err }),
    run: async (signal) => {
      const r = await sweep(signal);
      if (!r.write.ok) throw new LagWriteError(r.write.error);
    },
  });
  if (opts.autoStart ?? true) loop.start();

  return {
    sweep,
    stats: () => loop.stats(),
    async stop() {
      await loop.stop();
      await chain;
      await prober.close().catch((err: unknown) => log.warn('lag prober did not leave cleanly', { err }));
      await bulk?.close();
      await admin.disconnect();
    },
  };
}

async function writeRows(store: Store, ts: number, groups: readonly GroupLag[]): Promise<WriteResult> {
  const at = new Date(ts);
  const lagRows = groups.flatMap((g) =>
    g.partitions.map((p) => ({
      ts: at, group: g.group, topic: p.topic, partition: p.partition, committed: p.committed, log_end: p.logEnd, low: p.low,
      lag_messages: p.lagMessages, lag_seconds: p.lagSeconds, no_commit: p.noCommit ? 1 : 0,
    })),
  );
  const statusRows = groups.map((g) => ({
    ts: at, group: g.group, status: g.status, lag_messages: g.lagMessages, lag_seconds: g.lagSeconds,
    partitions: g.partitions.length, topics: [...new Set(g.partitions.map((p) => p.topic))].sort(), reason: g.reason,
  }));
  const a = await store.insert('consumer_lag', lagRows);
  if (!a.ok) return a;
  const b = await store.insert('consumer_group_status', statusRows);
  return b.ok ? { ok: true, rows: a.rows + b.rows } : b;
}
