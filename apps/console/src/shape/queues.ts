/**
 * Queue depth by state over time. The queues endpoint gives the current counts; the live feed's snapshots give
 * the history, so the chart fills while the page is open.
 */
import type { LiveSnapshot } from './live';
import type { Series } from './lag';

/** The BullMQ states drawn, in stacking order. */
export const QUEUE_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'paused', 'failed'] as const;

/** Depth of one queue by state over the buffer, newer than `nowMs - windowMs` (default: all). */
export function toDepthSeries(buf: readonly LiveSnapshot[], queue: string, nowMs: number, windowMs?: number): Series {
  const since = windowMs === undefined ? -Infinity : nowMs - windowMs;
  const rows: Series['rows'] = [];
  const seen = new Set<string>();
  for (const s of buf) {
    if (s.atMs < since || s.atMs > nowMs + 5000) continue;
    const q = s.queues.find((x) => x.queue === queue);
    if (!q) continue;
    const row: Series['rows'][number] = { t: s.atMs };
    for (const st of QUEUE_STATES) {
      const v = q.counts[st];
      if (v !== undefined) {
        row[st] = v;
        seen.add(st);
      }
    }
    rows.push(row);
  }
  return { rows, keys: QUEUE_STATES.filter((s) => seen.has(s)) };
}

/** Total backlog (waiting + delayed + prioritized + paused) of a counts record. */
export function backlog(counts: Record<string, number>): number {
  return (counts.waiting ?? 0) + (counts.delayed ?? 0) + (counts.prioritized ?? 0) + (counts.paused ?? 0);
}
