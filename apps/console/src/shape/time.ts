/**
 * The one time range of the console: a relative range (`15m`, `1h`, ...) or an absolute one (`from`, `to` in the
 * URL). The clock comes in as `nowMs`, so the functions are pure.
 */

/** The relative ranges the picker offers. */
export const RANGES = ['5m', '15m', '1h', '6h', '24h', '7d'] as const;
export type RangeKey = (typeof RANGES)[number];
/** Default range: one hour. */
export const DEFAULT_RANGE: RangeKey = '1h';

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds of a range key like `15m`; null when it does not parse. */
export function rangeMs(key: string): number | null {
  const m = /^(\d+)([smhd])$/.exec(key);
  return m ? Number(m[1]) * UNIT_MS[m[2]!]! : null;
}

/** A resolved window. */
export interface TimeWindow {
  fromMs: number;
  toMs: number;
  /** ISO strings for the API's `from` and `to`. */
  from: string;
  to: string;
  /** True when the window ends now (and so moves with the clock). */
  live: boolean;
}

/**
 * Resolves the page's `range`, `from` and `to` parameters at `nowMs`. Absolute `from`/`to` win when both parse
 * and `from < to`; otherwise the relative range (default {@link DEFAULT_RANGE}) ending now.
 */
export function resolveWindow(params: { range?: string; from?: string; to?: string }, nowMs: number): TimeWindow {
  const f = params.from ? Date.parse(params.from) : NaN;
  const t = params.to ? Date.parse(params.to) : NaN;
  if (Number.isFinite(f) && Number.isFinite(t) && f < t) return { fromMs: f, toMs: t, from: new Date(f).toISOString(), to: new Date(t).toISOString(), live: false };
  const span = rangeMs(params.range ?? '') ?? rangeMs(DEFAULT_RANGE)!;
  return { fromMs: nowMs - span, toMs: nowMs, from: new Date(nowMs - span).toISOString(), to: new Date(nowMs).toISOString(), live: true };
}

/** Milliseconds since the epoch of an ISO string or a number (seconds are promoted); NaN when neither. */
export function toMs(v: unknown): number {
  if (typeof v === 'number') return v < 1e11 ? v * 1000 : v;
  if (typeof v === 'string') {
    if (/^\d+(\.\d+)?$/.test(v)) return toMs(Number(v));
    // ClickHouse DateTime64 text ("2025-01-01 10:00:00.000") is UTC.
    const iso = /^\d{4}-\d\d-\d\d \d\d:\d\d/.test(v) ? `${v.replace(' ', 'T')}Z` : v;
    return Date.parse(iso);
  }
  return NaN;
}
