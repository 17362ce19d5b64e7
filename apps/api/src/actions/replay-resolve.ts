/**
 * Resolves a replay selection against the broker and the archive: the segments to read, where from, how many
 * messages they hold (exactly, or an upper bound where a content filter meets offsets the archive has not stored),
 * and what had to be worked around.
 */
import type { Admin } from 'kafkajs';
import { ValidationError } from '../errors';
import type { Ctx } from '../types';
import { UnprocessableError } from './errors';
import { offsetsAt, watermarks } from './kafka';
import { planSegments, timestampLookupBroken, type ContentFilter, type Segment } from './plan';
import { actionSql } from './sql';

/** What a replay selects (times ISO 8601; offsets inclusive). */
export interface ReplaySelection {
  topic: string;
  from?: string;
  to?: string;
  fromOffset?: number;
  toOffset?: number;
  partition?: number;
  orderId?: string;
  traceId?: string;
  eventType?: string;
}

/** A resolved selection. */
export interface Resolution {
  topic: string;
  segments: Segment[];
  filter: ContentFilter;
  /** Produce-time bounds applied to archive reads (epoch ms; the whole range when no time was given). */
  fromTs: number;
  toTs: number;
  /** How a time range was resolved: by the broker's ListOffsets, from the archive, or not at all. */
  timeVia: 'broker' | 'archive' | null;
  matched: number;
  exact: boolean;
  fromBroker: number;
  fromArchive: number;
  bytes: number;
  notes: string[];
}

/** Offsets beyond any real log: an archive segment "to the end". */
export const OFFSET_MAX = 2n ** 62n;
const FAR_FUTURE = Date.UTC(2100, 0, 1);

interface CountRow {
  partition: number;
  n: string | number;
  bytes: string | number;
  stored: string | number;
  min_offset: string | number;
  max_offset: string | number;
}

/** Checks what the schema cannot: ordered ranges. Throws ValidationError naming each field. */
export function checkSelection(s: ReplaySelection): void {
  const problems: { path: string; message: string }[] = [];
  if (s.from && s.to && Date.parse(s.from) >= Date.parse(s.to)) problems.push({ path: 'body.selection.to', message: 'must be after selection.from' });
  if (s.fromOffset !== undefined && s.toOffset !== undefined && s.fromOffset > s.toOffset) problems.push({ path: 'body.selection.toOffset', message: 'must not be below selection.fromOffset' });
  if (problems.length) throw new ValidationError('The replay selection is inverted.', problems);
}

/** Resolves `s`. Throws UnprocessableError `UNKNOWN_TOPIC` when neither the broker nor the archive knows the topic. */
export async function resolveSelection(ctx: Ctx, admin: Admin, s: ReplaySelection): Promise<Resolution> {
  checkSelection(s);
  const t = ctx.options.kafkaTimeoutMs;
  const notes: string[] = [];
  const marks = await watermarks(admin, s.topic, t);
  const [stats] = await ctx.store.query<{ n: string | number; avg_bytes: number | null }>(actionSql('topic-stats'), { topic: s.topic });
  const archived = Number(stats?.n ?? 0);
  if (marks.length === 0 && archived === 0) throw new UnprocessableError(`Topic "${s.topic}" is unknown: the broker does not have it and the archive holds no message of it.`, 'UNKNOWN_TOPIC');
  const filter: ContentFilter = { orderId: s.orderId, traceId: s.traceId, eventType: s.eventType };
  const fromTs = s.from ? Date.parse(s.from) : 0;
  const toTs = s.to ? Date.parse(s.to) : FAR_FUTURE;
  const bounds = { partition: s.partition, fromOffset: s.fromOffset !== undefined ? BigInt(s.fromOffset) : undefined, toOffset: s.toOffset !== undefined ? BigInt(s.toOffset) : undefined };

  let timeVia: Resolution['timeVia'] = null;
  let segments: Segment[];
  const archiveAll = (): Segment[] => [{ partition: s.partition ?? -1, from: bounds.fromOffset ?? 0n, to: bounds.toOffset !== undefined ? bounds.toOffset + 1n : OFFSET_MAX, source: 'archive' }];
  if (marks.length === 0) {
    notes.push(`the broker no longer has topic ${s.topic}: everything is read from the archive`);
    timeVia = s.from || s.to ? 'archive' : null;
    segments = archiveAll();
  } else if (s.from || s.to) {
    const atEpoch = await offsetsAt(admin, s.topic, 0, t);
    if (timestampLookupBroken(marks, atEpoch)) {
      timeVia = 'archive';
      notes.push('the broker answers ListOffsets by timestamp with the end offset (librdkafka mock cluster?), so the time range is read from the archive; messages not yet stored by the tap are not included');
      segments = archiveAll();
    } else {
      timeVia = 'broker';
      const fix = (m: Map<number, bigint>): Map<number, bigint> => new Map([...m].map(([p, o]) => [p, o < 0n ? (marks.find((w) => w.partition === p)?.high ?? 0n) : o]));
      const starts = s.from ? fix(await offsetsAt(admin, s.topic, fromTs, t)) : undefined;
      const ends = s.to ? fix(await offsetsAt(admin, s.topic, toTs, t)) : undefined;
      segments = planSegments(marks, { ...bounds, starts, ends });
    }
  } else {
    segments = planSegments(marks, bounds);
  }
  if (segments.some((g) => g.source === 'archive') && timeVia !== 'archive' && marks.length > 0) notes.push('part of the selection is older than the broker keeps (below the low watermark): it is read from the archive');

  const filtered = Boolean(filter.orderId || filter.traceId || filter.eventType);
  const avgBytes = Number(stats?.avg_bytes ?? 0) || 0;
  let fromBroker = 0;
  let fromArchive = 0;
  let bytes = 0;
  let exact = true;
  for (const g of segments) {
    const needsCount = g.source === 'archive' || filtered;
    const rows = needsCount
      ? await ctx.store.query<CountRow>(actionSql('archive-count'), {
          topic: s.topic,
          partition: g.partition,
          from_offset: g.from.toString(),
          to_offset: g.to.toString(),
          from_ts: new Date(g.source === 'archive' ? fromTs : 0),
          to_ts: new Date(g.source === 'archive' ? toTs : FAR_FUTURE),
          order_id: filter.orderId ?? '',
          trace_id: filter.traceId ?? '',
          event_type: filter.eventType ?? '',
        })
      : [];
    const n = rows.reduce((a, r) => a + Number(r.n), 0);
    const b = rows.reduce((a, r) => a + Number(r.bytes), 0);
    if (g.source === 'archive') {
      fromArchive += n;
      bytes += b;
      continue;
    }
    const span = Number(g.to - g.from);
    const stored = rows.reduce((a, r) => a + Number(r.stored), 0);
    if (!filtered) {
      fromBroker += span;
      bytes += span * avgBytes;
    } else if (stored >= span) {
      fromBroker += n;
      bytes += b;
    } else {
      exact = false;
      fromBroker += span;
      bytes += span * avgBytes;
    }
  }
  if (!exact) notes.push('the content filter meets offsets the archive has not stored yet: matched is an upper bound; the limit is enforced while reading, before anything is published');
  return { topic: s.topic, segments, filter, fromTs, toTs, timeVia, matched: fromBroker + fromArchive, exact, fromBroker, fromArchive, bytes: Math.round(bytes), notes };
}
