/**
 * Reads a trace (by trace id) or an order's trace (by order id) from the `spans` table and assembles it with the
 * stitcher. Traces that continue one of the trace's events after a hop lost its context (spans whose causation id
 * is an event id already in hand) are pulled in too, a few rounds deep.
 */
import { readFileSync } from 'node:fs';
import type { Store } from '@switchyard/store';
import { buildTrace, type StoredSpan, type Trace } from './stitch';

const sql = (name: string): string => readFileSync(new URL(`./${name}.sql`, import.meta.url), 'utf8');
const SPANS_BY_TRACE = sql('spans-by-trace');
const TRACES_BY_ORDER = sql('trace-ids-by-order');
const TRACES_BY_CAUSATION = sql('trace-ids-by-causation');

/** Options of the trace reads. */
export interface TraceQueryOptions {
  /** Most spans read for one trace (default 5000). */
  maxSpans?: number;
  /** Most trace ids gathered for one order (default 50). */
  maxTraces?: number;
  /** Rounds of following causation ids into other traces (default 3). */
  stitchRounds?: number;
}

type Row = Omit<StoredSpan, 'start_us' | 'end_us'> & { start_us: string | number; end_us: string | number };

async function readSpans(store: Store, traceIds: string[], limit: number): Promise<StoredSpan[]> {
  const rows = await store.query<Row>(SPANS_BY_TRACE, { trace_ids: traceIds, limit });
  return rows.map((r) => ({ ...r, start_us: Number(r.start_us), end_us: Number(r.end_us) }));
}

/** Reads the spans of `traceIds` and of the traces that continue their events by causation id. */
async function gather(store: Store, traceIds: string[], opts: TraceQueryOptions): Promise<StoredSpan[]> {
  const maxSpans = opts.maxSpans ?? 5000;
  const maxTraces = opts.maxTraces ?? 50;
  const known = new Set(traceIds);
  const spans = await readSpans(store, traceIds, maxSpans);
  for (let round = 0; round < (opts.stitchRounds ?? 3) && known.size < maxTraces; round++) {
    const eventIds = [...new Set(spans.map((s) => s.event_id).filter(Boolean))];
    if (eventIds.length === 0) break;
    const more = await store.query<{ trace_id: string }>(TRACES_BY_CAUSATION, { event_ids: eventIds, known: [...known], limit: maxTraces - known.size });
    if (more.length === 0) break;
    for (const m of more) known.add(m.trace_id);
    spans.push(...(await readSpans(store, more.map((m) => m.trace_id), maxSpans)));
  }
  return spans;
}

/** The trace `traceId`, with any traces stitched onto it by causation id; null when no span has that id. */
export async function getTrace(store: Store, traceId: string, opts: TraceQueryOptions = {}): Promise<Trace | null> {
  const spans = await gather(store, [traceId], opts);
  return buildTrace(spans, { rootTraceId: traceId });
}

/**
 * One trace per order, from intake to delivery: every trace holding a span of `orderId` (by `order.id` or the
 * Kafka key), plus traces that continue them by causation id, stitched under the earliest root. Null when the
 * order has no spans.
 */
export async function getOrderTrace(store: Store, orderId: string, opts: TraceQueryOptions = {}): Promise<Trace | null> {
  const ids = await store.query<{ trace_id: string }>(TRACES_BY_ORDER, { order_id: orderId, limit: opts.maxTraces ?? 50 });
  if (ids.length === 0) return null;
  const spans = await gather(store, ids.map((r) => r.trace_id), opts);
  return buildTrace(spans, { orderId });
}
