/** Number, duration and time formatting for panels and tooltips. */

/** `1234` → `1.2k`; null or NaN → `—`. */
export function fmtCount(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  const a = Math.abs(n);
  if (a >= 1e9) return `${(n / 1e9).toFixed(1)}G`;
  if (a >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (a >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  return Number.isInteger(n) ? String(n) : n.toFixed(a < 10 ? 2 : 1);
}

/** A rate per second: `12.3/s`. */
export function fmtRate(n: number | null | undefined): string {
  return n === null || n === undefined || !Number.isFinite(n) ? '—' : `${fmtCount(n)}/s`;
}

/** Milliseconds as `850 ms`, `12.5 s`, `3m 20s`, `2h 5m`. */
export function fmtMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)}m ${Math.round((ms % 60_000) / 1000)}s`;
  return `${Math.floor(ms / 3_600_000)}h ${Math.round((ms % 3_600_000) / 60_000)}m`;
}

/** A share (0..1) as `12.5%`. */
export function fmtPct(n: number | null | undefined): string {
  return n === null || n === undefined || !Number.isFinite(n) ? '—' : `${(n * 100).toFixed(n < 0.1 ? 2 : 1)}%`;
}

/** Money with up to 6 significant decimals for tiny per-order costs. */
export function fmtCost(n: number | null | undefined, currency = '$'): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  return `${currency}${Math.abs(n) >= 1 ? n.toFixed(2) : n.toPrecision(3)}`;
}

/** A time of day (`14:03:05`) for axes. */
export function fmtClock(ms: number): string {
  const d = new Date(ms);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}:${String(d.getSeconds()).padStart(2, '0')}`;
}

/** How long ago, from `nowMs`: `just now`, `45 s ago`, `3m 2s ago`. */
export function fmtAgo(atMs: number, nowMs: number): string {
  if (!Number.isFinite(atMs)) return '—';
  const d = nowMs - atMs;
  return d < 2000 ? 'just now' : `${fmtMs(d)} ago`;
}
