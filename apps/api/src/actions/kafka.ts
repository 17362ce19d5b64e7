/**
 * The broker side of the actions: watermarks, offsets by time, groups with offsets on a topic, and reading offset
 * ranges. kafkajs has no `assign`, so a read joins a throwaway group (`sy-replay-<id>`, never committing) and seeks
 * each partition to its segment; on librdkafka's mock cluster the join alone takes about 3 s.
 */
import { randomUUID } from 'node:crypto';
import type { Admin, Kafka } from 'kafkajs';
import { readHeaders } from '@switchyard/bus/headers';
import { tryListGroups } from '@switchyard/bus/admin';
import type { Logger } from '@switchyard/telemetry/log';
import type { Store } from '@switchyard/store/types';
import { matches, type ContentFilter, type Segment, type Watermark } from './plan';
import { actionSql } from './sql';

/** A message read for re-publishing. */
export interface ReadMessage {
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
  bytes: number;
}

/** Thrown when a read finds more messages than the action's limit. */
export class OverLimitError extends Error {
  readonly code = 'SELECTION_TOO_LARGE';
  readonly retriable = false;
  constructor(readonly limit: number) {
    super(`the selection matches more than ${limit} messages`);
    this.name = 'OverLimitError';
  }
}

/** Races `p` against a timer; the timer never holds the process open. */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** A connected admin client; the caller disconnects it. */
export async function openAdmin(kafka: Kafka, timeoutMs: number): Promise<Admin> {
  const admin = kafka.admin({ retry: { retries: 1 } });
  await withTimeout(admin.connect(), timeoutMs, 'connecting to Kafka');
  // Loads the cluster metadata: coordinator look-ups (OffsetFetch) on a fresh admin otherwise find no broker.
  await withTimeout(admin.listTopics(), timeoutMs, 'listing topics').catch(async (err: unknown) => {
    await admin.disconnect().catch(() => undefined);
    throw err;
  });
  return admin;
}

/** Low and high watermark of every partition of a topic the broker has; [] when it does not have it. */
export async function watermarks(admin: Admin, topic: string, timeoutMs: number): Promise<Watermark[]> {
  const topics = await withTimeout(admin.listTopics(), timeoutMs, 'listing topics');
  if (!topics.includes(topic)) return [];
  const offsets = await withTimeout(admin.fetchTopicOffsets(topic), timeoutMs, 'ListOffsets');
  return offsets.map((o) => ({ partition: o.partition, low: BigInt(o.low), high: BigInt(o.high) }));
}

/** The first offset of each partition at or after `ts` (epoch ms), as the broker answers it. */
export async function offsetsAt(admin: Admin, topic: string, ts: number, timeoutMs: number): Promise<Map<number, bigint>> {
  const res = await withTimeout(admin.fetchTopicOffsetsByTimestamp(topic, ts), timeoutMs, 'ListOffsets by timestamp');
  return new Map(res.map((r) => [r.partition, BigInt(r.offset)]));
}

/** Consumer groups with committed offsets on `topic`, and what could not be looked up. */
export interface GroupsSeeing {
  groups: { group: string; partitions: number }[];
  note: string | null;
}

/**
 * Groups that would see messages published to `topic`: those with a committed offset on it. Candidates are the
 * groups the broker lists and those the lag collector has seen in the last day (the only ones on a broker without
 * ListGroups); at most `maxGroups` are asked.
 */
export async function groupsSeeing(store: Store, admin: Admin, topic: string, now: number, logger: Logger, timeoutMs: number, maxGroups = 200): Promise<GroupsSeeing> {
  const notes: string[] = [];
  const known = await store.query<{ group: string }>(actionSql('known-groups'), { since: new Date(now - 86_400_000), limit: maxGroups });
  const listed = await withTimeout(tryListGroups(admin, logger), timeoutMs, 'ListGroups').catch(() => null);
  if (listed === null) notes.push('the broker cannot list consumer groups (ListGroups unsupported, e.g. the mock cluster): only groups the lag collector has seen were checked');
  const candidates = [...new Set([...(listed ?? []), ...known.map((k) => k.group)])].filter((g) => !g.startsWith('sy-replay-')).slice(0, maxGroups);
  const groups: { group: string; partitions: number }[] = [];
  for (const group of candidates) {
    try {
      const res = await withTimeout(admin.fetchOffsets({ groupId: group, topics: [topic] }), timeoutMs, 'OffsetFetch');
      const committed = res.flatMap((t) => t.partitions).filter((p) => Number(p.offset) >= 0).length;
      if (committed > 0) groups.push({ group, partitions: committed });
    } catch (err) {
      notes.push(`offsets of group ${group} unknown (${(err as Error).message})`);
    }
  }
  return { groups, note: notes.length ? notes.join('; ') : null };
}

/**
 * Reads the broker segments of `topic`, keeping messages that pass `filter`. Throws {@link OverLimitError} past
 * `limit` matches, and an Error when nothing arrives for `idleMs` before the segments are read.
 */
export async function readBroker(
  kafka: Kafka,
  topic: string,
  segments: readonly Segment[],
  filter: ContentFilter,
  opts: { limit: number; signal: AbortSignal; idleMs?: number },
): Promise<ReadMessage[]> {
  const want = segments.filter((s) => s.source === 'broker' && s.from < s.to);
  if (want.length === 0) return [];
  const seg = new Map(want.map((s) => [s.partition, s]));
  const pending = new Set(seg.keys());
  const out: ReadMessage[] = [];
  const consumer = kafka.consumer({ groupId: `sy-replay-${randomUUID()}`, sessionTimeout: 10_000, heartbeatInterval: 1000, maxWaitTimeInMs: 250, maxBytesPerPartition: 4 << 20, retry: { retries: 2 } });
  let failure: Error | null = null;
  let lastProgress = Date.now();
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: false });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const s = seg.get(batch.partition);
        if (!s || !pending.has(batch.partition)) return;
        lastProgress = Date.now();
        for (const m of batch.messages) {
          const off = BigInt(m.offset);
          if (off < s.from) continue;
          if (off >= s.to) break;
          const headers = readHeaders(m.headers);
          const key = m.key ?? null;
          if (!matches(filter, key ? key.toString('utf8') : '', headers)) continue;
          if (out.length >= opts.limit) {
            failure = new OverLimitError(opts.limit);
            break;
          }
          const hb = Object.entries(headers).reduce((n, [k, v]) => n + k.length + Buffer.byteLength(v), 0);
          out.push({ partition: batch.partition, offset: m.offset, key, value: m.value ?? null, headers, bytes: (m.value?.length ?? 0) + (key?.length ?? 0) + hb });
        }
        const last = BigInt(batch.lastOffset());
        if (last + 1n >= s.to || BigInt(batch.highWatermark) <= last + 1n) pending.delete(batch.partition);
      },
    });
    for (const s of seg.values()) consumer.seek({ topic, partition: s.partition, offset: s.from.toString() });
    const idleMs = opts.idleMs ?? 30_000;
    while (pending.size > 0 && !failure && !opts.signal.aborted) {
      if (Date.now() - lastProgress > idleMs) throw new Error(`the broker sent nothing for ${idleMs} ms while ${pending.size} partition(s) of ${topic} were still unread`);
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
  if (failure) throw failure;
  return out;
}
