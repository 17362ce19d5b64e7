/**
 * The order waterfall: every span of one order's trace (Kafka and BullMQ hops alike) placed on one time axis,
 * with its depth, the wait before it (queue time between the hop that caused it and its own start), and its
 * retry, dead-letter and stitched marks.
 */
import { toMs } from './time';

/** A span as the trace endpoint sends it (read leniently). */
export interface SpanIn {
  spanId: string;
  parentSpanId: string | null;
  name: string;
  service: string;
  start: string | number;
  durationMs: number;
  stitched: boolean;
  status?: string | null;
  /** The wait before this hop as the server measured it (queue time); wins over the computed one. */
  waitMs?: number | null;
  attributes?: Record<string, unknown>;
}

/** One row of the waterfall. */
export interface WaterfallRow {
  spanId: string;
  name: string;
  service: string;
  depth: number;
  /** Start, ms after the trace's first span. */
  offsetMs: number;
  durationMs: number;
  /** Time between the causing hop's end (or start, for a child that began inside it) and this span's start. */
  waitMs: number;
  stitched: boolean;
  retry: boolean;
  deadLetter: boolean;
  error: boolean;
}

/** The whole waterfall. */
export interface Waterfall {
  rows: WaterfallRow[];
  startMs: number;
  totalMs: number;
  services: string[];
  /** Counts for the summary line. */
  hops: number;
  retries: number;
  deadLetters: number;
  stitched: number;
}

const attr = (s: SpanIn, ...keys: string[]): unknown => {
  for (const k of keys) if (s.attributes && s.attributes[k] !== undefined) return s.attributes[k];
  return undefined;
};

/** Shapes a trace's spans into a waterfall (depth-first, children by start time). Spans without a valid time are dropped. */
export function toWaterfall(spans: readonly SpanIn[]): Waterfall {
  const valid = spans.map((s) => ({ s, t: toMs(s.start) })).filter((x) => Number.isFinite(x.t));
  const empty: Waterfall = { rows: [], startMs: 0, totalMs: 0, services: [], hops: 0, retries: 0, deadLetters: 0, stitched: 0 };
  if (!valid.length) return empty;
  const byId = new Map(valid.map((x) => [x.s.spanId, x]));
  const children = new Map<string, typeof valid>();
  const roots: typeof valid = [];
  for (const x of valid) {
    const p = x.s.parentSpanId && x.s.parentSpanId !== x.s.spanId ? byId.get(x.s.parentSpanId) : undefined;
    if (p) children.set(p.s.spanId, [...(children.get(p.s.spanId) ?? []), x]);
    else roots.push(x);
  }
  const startMs = Math.min(...valid.map((x) => x.t));
  const endMs = Math.max(...valid.map((x) => x.t + Math.max(0, x.s.durationMs)));
  const rows: WaterfallRow[] = [];
  const seen = new Set<string>();
  const byStart = (a: { t: number }, b: { t: number }): number => a.t - b.t;
  // End of everything drawn so far: a root after the first lost its parent (a stitched hop), so its wait is
  // measured from the latest end before it.
  let drawnEnd: number | null = null;
  const visit = (x: (typeof valid)[number], depth: number, parentEnd: number | null, parentStart: number | null): void => {
    if (seen.has(x.s.spanId)) return;
    seen.add(x.s.spanId);
    const { s, t } = x;
    drawnEnd = Math.max(drawnEnd ?? t, t + Math.max(0, s.durationMs));
    let waitMs = 0;
    if (typeof s.waitMs === 'number' && Number.isFinite(s.waitMs)) waitMs = Math.max(0, s.waitMs);
    else if (parentEnd !== null && parentStart !== null) waitMs = t >= parentEnd ? t - parentEnd : 0;
    const attempt = Number(attr(s, 'messaging.attempt', 'attempt', 'retry.attempt') ?? 1);
    rows.push({
      spanId: s.spanId,
      name: s.name,
      service: s.service,
      depth,
      offsetMs: t - startMs,
      durationMs: Math.max(0, s.durationMs),
      waitMs,
      stitched: s.stitched,
      retry: attempt > 1 || /retry/i.test(s.name),
      deadLetter: /\bdlq\b|dead[-_ .]?letter|\.dlq/i.test(s.name) || attr(s, 'deadLetter', 'dead_letter') === true,
      error: /error/i.test(s.status ?? '') || attr(s, 'error') === true,
    });
    for (const c of (children.get(s.spanId) ?? []).sort(byStart)) visit(c, depth + 1, t + s.durationMs, t);
  };
  for (const r of roots.sort(byStart)) {
    const before = drawnEnd;
    visit(r, 0, before, before === null ? null : startMs);
  }
  const services = [...new Set(rows.map((r) => r.service))];
  return {
    rows,
    startMs,
    totalMs: endMs - startMs,
    services,
    hops: rows.length,
    retries: rows.filter((r) => r.retry).length,
    deadLetters: rows.filter((r) => r.deadLetter).length,
    stitched: rows.filter((r) => r.stitched).length,
  };
}
