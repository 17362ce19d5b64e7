/**
 * Stitching: turns the spans of one order (or one trace), possibly spread over several trace ids, into one tree
 * with per-hop latency and the critical path. Pure: the store reads live in trace-query.ts.
 *
 * A span whose parent is not among the spans (no parent, or a parent that never arrived: the hop lost its trace
 * context) is attached under the span whose event id (`messaging.message.id`) equals its causation id
 * (`switchyard.causation_id`), preferring a producer span, and flagged `stitched`. Spans left without a parent
 * stay as extra roots.
 */
import type { SpanKindName } from './span-row';

/** A span as read back from the store (times in unix microseconds). */
export interface StoredSpan {
  trace_id: string;
  span_id: string;
  parent_span_id: string;
  name: string;
  service: string;
  kind: SpanKindName | string;
  start_us: number;
  end_us: number;
  status_code: string;
  status_message: string;
  attributes: Record<string, string>;
  links: { trace_id: string; span_id: string }[];
  order_id: string;
  event_id: string;
  causation_id: string;
  system: string;
  destination: string;
}

/** One span of an assembled trace. */
export interface TraceSpan {
  traceId: string;
  spanId: string;
  /** The effective parent: the recorded one, or the one stitching chose ('' for a root). */
  parentSpanId: string;
  name: string;
  service: string;
  kind: string;
  /** ISO-8601 start (millisecond precision; `durationMs` and `waitMs` keep microseconds). */
  start: string;
  durationMs: number;
  /** True when the parent was found by causation id rather than by trace context. */
  stitched: boolean;
  status: string;
  statusMessage: string;
  system: string;
  destination: string;
  eventId: string;
  causationId: string;
  attributes: Record<string, string>;
  links: { traceId: string; spanId: string }[];
  /**
   * Gap before this span started: after a producer parent, from the producer's start (the send) to this start;
   * after any other parent, from the parent's end to this start, or 0 when it started while the parent ran.
   * Null for a root.
   */
  waitMs: number | null;
}

/** One message hop: a consumer span and the producer span that sent its message. */
export interface TraceHop {
  consumerSpanId: string;
  /** The producer span (by parent, else by event id), or null when it is not in the trace. */
  producerSpanId: string | null;
  from: string;
  to: string;
  system: string;
  destination: string;
  /** From the producer's start to the consumer's start (null without a producer span). */
  waitMs: number | null;
  /** The consumer span's own duration. */
  durationMs: number;
  stitched: boolean;
}

/** An assembled trace. */
export interface Trace {
  /** The root's trace id. */
  traceId: string;
  /** Every trace id the spans came in (more than one when a hop lost its context). */
  traceIds: string[];
  orderId: string;
  /** ISO start of the root, and from the first start to the last end. */
  start: string;
  durationMs: number;
  /** Spans ordered by start. */
  spans: TraceSpan[];
  hops: TraceHop[];
  /** Span ids from the root down the chain of children that end last. */
  criticalPath: string[];
}

const key = (traceId: string, spanId: string): string => `${traceId}:${spanId}`;
const ms = (us: number): number => Math.round(us) / 1000;

/**
 * Assembles spans into one trace. `rootTraceId` picks the trace whose root is the trace's root (default: the
 * trace of the earliest-starting parentless span). Returns null for no spans.
 */
export function buildTrace(input: readonly StoredSpan[], opts: { rootTraceId?: string; orderId?: string } = {}): Trace | null {
  const byKey = new Map<string, StoredSpan>();
  for (const s of input) byKey.set(key(s.trace_id, s.span_id), s);
  const spans = [...byKey.values()].sort((a, b) => a.start_us - b.start_us || a.span_id.localeCompare(b.span_id));
  if (spans.length === 0) return null;

  const parent = new Map<StoredSpan, StoredSpan>();
  for (const s of spans) {
    const p = s.parent_span_id ? byKey.get(key(s.trace_id, s.parent_span_id)) : undefined;
    if (p) parent.set(s, p);
  }
  const orphans = spans.filter((s) => !parent.has(s));
  const rootTraceId = opts.rootTraceId ?? orphans[0]?.trace_id ?? spans[0]!.trace_id;
  const root = orphans.find((s) => s.trace_id === rootTraceId && !s.parent_span_id) ?? orphans.find((s) => s.trace_id === rootTraceId) ?? orphans[0]!;

  const byEvent = new Map<string, StoredSpan[]>();
  for (const s of spans) if (s.event_id) byEvent.set(s.event_id, [...(byEvent.get(s.event_id) ?? []), s]);
  const isAncestor = (a: StoredSpan, of: StoredSpan): boolean => {
    for (let cur: StoredSpan | undefined = of; cur; cur = parent.get(cur)) if (cur === a) return true;
    return false;
  };
  const stitched = new Set<StoredSpan>();
  for (const s of orphans) {
    if (s === root || !s.causation_id) continue;
    const candidates = (byEvent.get(s.causation_id) ?? []).filter((c) => c !== s && !isAncestor(s, c));
    const best = candidates.find((c) => c.kind === 'producer') ?? candidates[0];
    if (best) {
      parent.set(s, best);
      stitched.add(s);
    }
  }

  const children = new Map<StoredSpan, StoredSpan[]>();
  for (const [c, p] of parent) children.set(p, [...(children.get(p) ?? []), c]);

  const out: TraceSpan[] = spans.map((s) => {
    const p = parent.get(s);
    let waitUs: number | null = null;
    if (p) waitUs = p.kind === 'producer' ? s.start_us - p.start_us : Math.max(0, s.start_us - p.end_us);
    return {
      traceId: s.trace_id,
      spanId: s.span_id,
      parentSpanId: p?.span_id ?? '',
      name: s.name,
      service: s.service,
      kind: s.kind,
      start: new Date(s.start_us / 1000).toISOString(),
      durationMs: ms(s.end_us - s.start_us),
      stitched: stitched.has(s),
      status: s.status_code,
      statusMessage: s.status_message,
      system: s.system,
      destination: s.destination,
      eventId: s.event_id,
      causationId: s.causation_id,
      attributes: s.attributes,
      links: s.links.map((l) => ({ traceId: l.trace_id, spanId: l.span_id })),
      waitMs: waitUs === null ? null : ms(waitUs),
    };
  });

  const hops: TraceHop[] = [];
  for (const s of spans) {
    if (s.kind !== 'consumer') continue;
    const p = parent.get(s);
    const producer = p?.kind === 'producer' ? p : (byEvent.get(s.event_id) ?? []).find((c) => c.kind === 'producer' && c !== s);
    hops.push({
      consumerSpanId: s.span_id,
      producerSpanId: producer?.span_id ?? null,
      from: producer?.service ?? '',
      to: s.service,
      system: s.system,
      destination: s.destination || producer?.destination || '',
      waitMs: producer ? ms(s.start_us - producer.start_us) : null,
      durationMs: ms(s.end_us - s.start_us),
      stitched: stitched.has(s),
    });
  }

  const first = spans[0]!.start_us;
  const last = Math.max(...spans.map((s) => s.end_us));
  return {
    traceId: root.trace_id,
    traceIds: [...new Set(spans.map((s) => s.trace_id))],
    orderId: opts.orderId ?? (root.order_id || spans.find((s) => s.order_id)?.order_id || ''),
    start: new Date(first / 1000).toISOString(),
    durationMs: ms(last - first),
    spans: out,
    hops,
    criticalPath: criticalPath(root, children),
  };
}

/**
 * The chain from `root` that explains when the trace ended: at each span, step into the child whose subtree ends
 * last (ties: the later-starting child), until a leaf.
 */
export function criticalPath(root: StoredSpan, children: ReadonlyMap<StoredSpan, readonly StoredSpan[]>): string[] {
  const memo = new Map<StoredSpan, number>();
  const subtreeEnd = (s: StoredSpan): number => {
    const known = memo.get(s);
    if (known !== undefined) return known;
    memo.set(s, s.end_us); // guards against a cycle in bad data
    let end = s.end_us;
    for (const c of children.get(s) ?? []) end = Math.max(end, subtreeEnd(c));
    memo.set(s, end);
    return end;
  };
  const path: string[] = [];
  const seen = new Set<StoredSpan>();
  for (let cur: StoredSpan | undefined = root; cur && !seen.has(cur); ) {
    seen.add(cur);
    path.push(cur.span_id);
    let next: StoredSpan | undefined;
    for (const c of children.get(cur) ?? []) {
      if (!next || subtreeEnd(c) > subtreeEnd(next) || (subtreeEnd(c) === subtreeEnd(next) && c.start_us > next.start_us)) next = c;
    }
    cur = next;
  }
  return path;
}
