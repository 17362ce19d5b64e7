/**
 * Replay planning, pure: which offsets of which partitions a selection covers, and where each part is read from.
 * The broker holds offsets from its low watermark up; anything wanted below it was removed by retention and is read
 * from Switchyard's archive (`events`), which keeps payload and headers.
 */

/** A partition's offsets as the broker reports them (`high` is the next offset to be written). */
export interface Watermark {
  partition: number;
  low: bigint;
  high: bigint;
}

/** Offsets [from, to) of one partition and where to read them. */
export interface Segment {
  partition: number;
  from: bigint;
  to: bigint;
  source: 'broker' | 'archive';
}

/** What bounds a selection by position. */
export interface OffsetBounds {
  /** Only this partition (default all). */
  partition?: number;
  /** First offset, inclusive (default 0: everything the archive or the broker still has). */
  fromOffset?: bigint;
  /** Last offset, inclusive (default the end of the partition). */
  toOffset?: bigint;
  /** Per-partition first offsets resolved from a time (broker ListOffsets by timestamp). */
  starts?: ReadonlyMap<number, bigint>;
  /** Per-partition end offsets (exclusive) resolved from a time. */
  ends?: ReadonlyMap<number, bigint>;
}

const max = (a: bigint, b: bigint): bigint => (a > b ? a : b);
const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);

/** Splits a selection into archive segments (below the low watermark) and broker segments (from it up). */
export function planSegments(marks: readonly Watermark[], b: OffsetBounds): Segment[] {
  const out: Segment[] = [];
  for (const m of [...marks].sort((x, y) => x.partition - y.partition)) {
    if (b.partition !== undefined && m.partition !== b.partition) continue;
    const start = max(b.fromOffset ?? 0n, b.starts?.get(m.partition) ?? 0n);
    let end = m.high;
    if (b.toOffset !== undefined) end = min(end, b.toOffset + 1n);
    const e = b.ends?.get(m.partition);
    if (e !== undefined) end = min(end, e);
    if (start >= end) continue;
    if (start < m.low) out.push({ partition: m.partition, from: start, to: min(end, m.low), source: 'archive' });
    const bStart = max(start, m.low);
    if (bStart < end) out.push({ partition: m.partition, from: bStart, to: end, source: 'broker' });
  }
  return out;
}

/**
 * True when ListOffsets by timestamp is not to be trusted: asked for the first offset at or after time 0, a broker
 * must answer the low watermark of a non-empty partition; librdkafka's mock cluster answers the end offset.
 */
export function timestampLookupBroken(marks: readonly Watermark[], atEpoch: ReadonlyMap<number, bigint>): boolean {
  return marks.some((m) => m.low < m.high && atEpoch.get(m.partition) === m.high);
}

/** Trace id of a W3C traceparent header ('' when absent or malformed). */
export function traceIdOf(traceparent: string | undefined): string {
  const m = traceparent ? /^[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}/.exec(traceparent.trim().toLowerCase()) : null;
  return m?.[1] ?? '';
}

/** The content filters of a selection. */
export interface ContentFilter {
  orderId?: string;
  traceId?: string;
  eventType?: string;
}

/** Whether a broker message (its key and headers) passes the content filters. */
export function matches(f: ContentFilter, key: string, headers: Record<string, string>): boolean {
  if (f.orderId && (headers['sy-order-id'] ?? key) !== f.orderId) return false;
  if (f.traceId && traceIdOf(headers.traceparent) !== f.traceId.toLowerCase()) return false;
  if (f.eventType && headers['sy-event-type'] !== f.eventType) return false;
  return true;
}
