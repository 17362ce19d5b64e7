/**
 * BullMQ queues, as the queues collector wrote them to `queue_depth` and `queue_job_events`.
 */
import { decodeCursor, page } from '../pagination';
import { sql } from '../queries/index';
import type { Ctx } from '../types';
import { GROUP_SEEN_WITHIN_MS } from './consumer-groups';

const STATES = ['waiting', 'active', 'delayed', 'failed', 'completed', 'paused', 'prioritized'] as const;
type Counts = Record<(typeof STATES)[number], number>;

/** One queue: counts by state at the latest sweep, and its last hour of wait time, processing time and retries. */
export interface QueueSummary {
  queue: string;
  counts: Counts;
  waitMs: { p50: number | null; p95: number | null };
  processingMs: { p50: number | null; p95: number | null };
  retryRate: number | null;
  updatedAt: string;
}

/** A row of queues-depth.sql. */
export interface DepthRow {
  queue: string;
  state: string;
  count: string | number;
  updated_ms: string | number;
}

/** Folds depth rows into counts per queue (in row order), with the newest sweep time of each. */
export function foldDepth(rows: DepthRow[]): Map<string, { counts: Counts; updatedMs: number }> {
  const out = new Map<string, { counts: Counts; updatedMs: number }>();
  for (const r of rows) {
    let q = out.get(r.queue);
    if (!q) {
      q = { counts: { waiting: 0, active: 0, delayed: 0, failed: 0, completed: 0, paused: 0, prioritized: 0 }, updatedMs: 0 };
      out.set(r.queue, q);
    }
    if ((STATES as readonly string[]).includes(r.state)) q.counts[r.state as keyof Counts] = Number(r.count);
    q.updatedMs = Math.max(q.updatedMs, Number(r.updated_ms));
  }
  return out;
}

const num = (v: unknown): number | null => (v === null || v === undefined || Number.isNaN(Number(v)) ? null : Number(v));

/** Lists queues by name, one page at a time. */
export async function listQueues(ctx: Ctx, q: { limit: number; cursor?: string }): Promise<{ items: QueueSummary[]; nextCursor: string | null }> {
  const after = q.cursor ? decodeCursor(q.cursor, ['q']).q : '';
  const now = ctx.clock.now();
  const depth = foldDepth(await ctx.store.query<DepthRow>(sql('queues-depth'), { since: new Date(now - GROUP_SEEN_WITHIN_MS), after, limit: q.limit + 1 }));
  const names = [...depth.keys()];
  const stats = new Map<string, Record<string, unknown>>();
  if (names.length > 0) {
    const rows = await ctx.store.query<Record<string, unknown>>(sql('queues-stats'), { queues: names, since: new Date(now - 3_600_000) });
    for (const r of rows) stats.set(String(r.queue), r);
  }
  const items = names.map((name): QueueSummary => {
    const d = depth.get(name)!;
    const s = stats.get(name);
    return {
      queue: name,
      counts: d.counts,
      waitMs: { p50: num(s?.wait_p50), p95: num(s?.wait_p95) },
      processingMs: { p50: num(s?.proc_p50), p95: num(s?.proc_p95) },
      retryRate: num(s?.retry_rate),
      updatedAt: new Date(d.updatedMs).toISOString(),
    };
  });
  return page(items, q.limit, (last) => ({ q: last.queue }));
}
