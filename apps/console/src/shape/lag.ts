/**
 * Lag series for the charts: rows in (from the API or from live snapshots), `nowMs` in, recharts rows out.
 */
import { toMs } from './time';

/** One lag sample, per partition when `partition` is set. */
export interface LagRow {
  at: string | number;
  lagMessages: number;
  lagSeconds?: number | null;
  topic?: string;
  partition?: number;
}

/** Rows for a recharts LineChart: `t` (ms) plus one numeric column per series key. */
export interface Series {
  rows: ({ t: number } & Record<string, number | null>)[];
  /** Column names, in a stable order. */
  keys: string[];
}

/** Options of {@link toLagSeries}. */
export interface LagSeriesOptions {
  /** Keep samples newer than `nowMs - windowMs` (default: keep all). */
  windowMs?: number;
  /** `messages` (default) or `seconds`. */
  metric?: 'messages' | 'seconds';
}

/** The series key of a row: `topic/partition`, `p<partition>`, or `total` for group-level rows. */
export function lagKey(r: Pick<LagRow, 'topic' | 'partition'>): string {
  if (r.partition === undefined || r.partition === null) return 'total';
  return r.topic ? `${r.topic}/${r.partition}` : `p${r.partition}`;
}

/**
 * Lag over time, one column per partition (or `total`). Samples at the same instant share a row; rows come out
 * in time order; samples in the future of `nowMs` (clock skew) are clamped out, unparseable times dropped.
 */
export function toLagSeries(rows: readonly LagRow[], nowMs: number, opts: LagSeriesOptions = {}): Series {
  const since = opts.windowMs === undefined ? -Infinity : nowMs - opts.windowMs;
  const byT = new Map<number, { t: number } & Record<string, number | null>>();
  const keys = new Set<string>();
  for (const r of rows) {
    const t = toMs(r.at);
    if (!Number.isFinite(t) || t < since || t > nowMs + 5000) continue;
    const key = lagKey(r);
    keys.add(key);
    const v = opts.metric === 'seconds' ? (r.lagSeconds ?? null) : r.lagMessages;
    const row = byT.get(t) ?? { t };
    row[key] = v;
    byT.set(t, row);
  }
  const sorted = [...keys].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  return { rows: [...byT.values()].sort((a, b) => a.t - b.t), keys: sorted };
}

/** The latest value per series key (for the legend and the table beside the chart). */
export function latestByKey(series: Series): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const row of series.rows) for (const k of series.keys) if (row[k] !== undefined) out[k] = row[k] ?? null;
  return out;
}

/** Trend of the last `n` samples of a key: rising, falling or flat (within `tolerance`, default 5%). */
export function trend(series: Series, key: string, n = 5, tolerance = 0.05): 'rising' | 'falling' | 'flat' {
  const vals = series.rows.map((r) => r[key]).filter((v): v is number => typeof v === 'number').slice(-n);
  if (vals.length < 2) return 'flat';
  const first = vals[0]!;
  const last = vals[vals.length - 1]!;
  const scale = Math.max(Math.abs(first), 1);
  if ((last - first) / scale > tolerance) return 'rising';
  if ((first - last) / scale > tolerance) return 'falling';
  return 'flat';
}

/** Any rows with a time field to a {@link Series} of the named numeric fields (e.g. latency p50 and p95). */
export function toFieldSeries(rows: readonly Record<string, unknown>[], fields: readonly string[], nowMs: number, timeField = 'at'): Series {
  const out: Series['rows'] = [];
  for (const r of rows) {
    const t = toMs(r[timeField]);
    if (!Number.isFinite(t) || t > nowMs + 5000) continue;
    const row: Series['rows'][number] = { t };
    for (const f of fields) {
      const v = r[f];
      row[f] = typeof v === 'number' && Number.isFinite(v) ? v : null;
    }
    out.push(row);
  }
  out.sort((a, b) => a.t - b.t);
  return { rows: out, keys: [...fields] };
}
