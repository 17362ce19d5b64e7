/**
 * Consumer groups, as the lag collector wrote them to `consumer_group_status` and `consumer_lag`.
 */
import { NotFoundError, ValidationError } from '../errors';
import { decodeCursor, page } from '../pagination';
import { sql } from '../queries/index';
import type { Ctx } from '../types';

/** How far back a group must have been seen to be listed (one day). */
export const GROUP_SEEN_WITHIN_MS = 86_400_000;

/** One consumer group at its latest sweep. */
export interface GroupSummary {
  group: string;
  status: string;
  lagMessages: number;
  lagSeconds: number | null;
  topics: string[];
  partitions: number;
  reason: string;
  updatedAt: string;
}

/** A row of groups-list.sql / group-summary.sql. */
export interface GroupRow {
  group: string;
  status: string;
  lag_messages: string | number;
  lag_seconds: number | null;
  partitions: number;
  topics: string[];
  reason: string;
  updated_ms: string | number;
}

/** Maps a status row to the API shape. */
export function toGroupSummary(r: GroupRow): GroupSummary {
  return {
    group: r.group,
    status: r.status,
    lagMessages: Number(r.lag_messages),
    lagSeconds: r.lag_seconds === null ? null : Number(r.lag_seconds),
    topics: r.topics,
    partitions: Number(r.partitions),
    reason: r.reason,
    updatedAt: new Date(Number(r.updated_ms)).toISOString(),
  };
}

/** Lists consumer groups by name, one page at a time. */
export async function listGroups(ctx: Ctx, q: { limit: number; cursor?: string }): Promise<{ items: GroupSummary[]; nextCursor: string | null }> {
  const after = q.cursor ? decodeCursor(q.cursor, ['g']).g : '';
  const since = new Date(ctx.clock.now() - GROUP_SEEN_WITHIN_MS);
  const rows = await ctx.store.query<GroupRow>(sql('groups-list'), { since, after, limit: q.limit + 1 });
  return page(rows.map(toGroupSummary), q.limit, (last) => ({ g: last.group }));
}

/** One group: its summary, every partition at the latest sweep, lag history and status changes over a range. */
export async function getGroup(ctx: Ctx, q: { group: string; from?: string; to?: string }) {
  const now = ctx.clock.now();
  const to = q.to ? Date.parse(q.to) : now;
  const from = q.from ? Date.parse(q.from) : to - 3_600_000;
  if (from >= to) throw new ValidationError('`from` must be before `to`.', [{ path: 'query.from', message: 'must be before to' }]);
  const since = new Date(now - GROUP_SEEN_WITHIN_MS);
  const [summary] = await ctx.store.query<GroupRow>(sql('group-summary'), { group: q.group, since });
  const partitions = await ctx.store.query<{ topic: string; partition: number; committed: string; log_end: string; low: string; lag_messages: string; lag_seconds: number | null; no_commit: number; updated_ms: string }>(
    sql('group-partitions'),
    { group: q.group, since },
  );
  if (!summary && partitions.length === 0) throw new NotFoundError(`The lag collector has not seen consumer group "${q.group}" in the last day.`, 'GROUP_NOT_FOUND');
  // About 300 points whatever the range, so a week costs what an hour does.
  const step = Math.max(1, Math.ceil((to - from) / 1000 / 300));
  const range = { group: q.group, from: new Date(from), to: new Date(to) };
  const history = await ctx.store.query<{ at_ms: string; lag_messages: string; lag_seconds: number | null }>(sql('group-history'), { ...range, step });
  const statusHistory = await ctx.store.query<{ at_ms: string; status: string }>(sql('group-status-history'), range);
  const latestMs = Math.max(0, ...partitions.map((p) => Number(p.updated_ms)));
  return {
    group: summary
      ? toGroupSummary(summary)
      : { group: q.group, status: 'UNKNOWN', lagMessages: partitions.reduce((s, p) => s + Number(p.lag_messages), 0), lagSeconds: null, topics: [...new Set(partitions.map((p) => p.topic))], partitions: partitions.length, reason: 'no status row yet', updatedAt: new Date(latestMs).toISOString() },
    partitions: partitions.map((p) => ({
      topic: p.topic,
      partition: Number(p.partition),
      committed: Number(p.committed),
      logEnd: Number(p.log_end),
      low: Number(p.low),
      lagMessages: Number(p.lag_messages),
      lagSeconds: p.lag_seconds === null ? null : Number(p.lag_seconds),
      noCommit: Number(p.no_commit) === 1,
      updatedAt: new Date(Number(p.updated_ms)).toISOString(),
    })),
    history: history.map((h) => ({ at: new Date(Number(h.at_ms)).toISOString(), lagMessages: Number(h.lag_messages), lagSeconds: h.lag_seconds === null ? null : Number(h.lag_seconds) })),
    statusHistory: statusHistory.map((s) => ({ at: new Date(Number(s.at_ms)).toISOString(), status: s.status })),
  };
}
