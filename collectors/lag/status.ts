/**
 * Consumer-group status over a sliding window of sweeps, after Burrow's rules, adapted to what OffsetFetch tells us
 * (committed offsets, no commit timestamps). A pure function: the rules are in README.md and tested case by case.
 */

/** Statuses, worst last. */
export const STATUSES = ['OK', 'WARNING', 'STALLED', 'STOPPED', 'ERROR'] as const;
export type GroupStatus = (typeof STATUSES)[number];

/** One partition of a group as seen by one sweep. */
export interface PartitionSample {
  topic: string;
  partition: number;
  /** Committed offset, -1 when the group has none on this partition. */
  committed: number;
  /** Log-end offset (high watermark). */
  logEnd: number;
  /** Lag in messages (log end - committed, or log end - low watermark without a commit). */
  lag: number;
  /**
   * When this committed value was first observed, possibly before the window (the collector remembers it).
   * Defaults to the ts of the first sample in the window that carries the current value.
   */
  committedSince?: number;
}

/** One sweep of one group: its partitions, or the error that kept the sweep from reading its offsets. */
export interface GroupSample {
  ts: number;
  partitions: PartitionSample[];
  error?: string;
}

/** Options of {@link evaluateGroupStatus}. */
export interface StatusOptions {
  /** Sweeps judged, newest last (default 10). */
  windowSize?: number;
  /** Fewer sweeps than this (for a partition) judge OK, "warming up" (default 3). */
  minSamples?: number;
  /** Backward moves of one partition's committed offset tolerated in the window as rewinds (default 1). */
  maxRewinds?: number;
  /**
   * Unchanged commits with lag turn from STALLED to STOPPED once the commit is older than this. Default: twice the
   * span of the window, so STALLED holds for about one more window before STOPPED.
   */
  stoppedAfterMs?: number;
}

/** The verdict for a group. */
export interface StatusResult {
  status: GroupStatus;
  reason: string;
}

interface Verdict extends StatusResult {
  rank: number;
  /** An OK worth naming at group level (warming up, rewound). */
  notable?: boolean;
}

const rank = (s: GroupStatus): number => STATUSES.indexOf(s);

/** Judges a group over its last sweeps (oldest first). See collectors/lag/README.md for the rules. */
export function evaluateGroupStatus(history: readonly GroupSample[], opts: StatusOptions = {}): StatusResult {
  const windowSize = opts.windowSize ?? 10;
  const window = history.slice(-windowSize);
  const latest = window.at(-1);
  if (!latest) return { status: 'OK', reason: 'no samples yet' };
  if (latest.error !== undefined) return { status: 'ERROR', reason: `offsets could not be fetched: ${latest.error}` };
  const good = window.filter((s) => s.error === undefined);
  const first = good[0] ?? latest;
  const span = latest.ts - first.ts;
  const stoppedAfterMs = opts.stoppedAfterMs ?? 2 * span;

  const series = new Map<string, { ts: number; p: PartitionSample }[]>();
  for (const s of good) {
    for (const p of s.partitions) {
      const key = `${p.topic}[${p.partition}]`;
      let arr = series.get(key);
      if (!arr) series.set(key, (arr = []));
      arr.push({ ts: s.ts, p });
    }
  }
  let worst: Verdict = { status: 'OK', reason: latest.partitions.length ? 'consumers keep up' : 'no partitions with committed offsets', rank: 0 };
  let worstCount = 0;
  let notableOk: string | undefined;
  for (const [key, samples] of series) {
    if (samples.at(-1)?.ts !== latest.ts) continue; // partition no longer reported (unassigned topic, deleted)
    const v = judgePartition(key, samples, latest.ts, {
      minSamples: opts.minSamples ?? 3,
      maxRewinds: opts.maxRewinds ?? 1,
      stoppedAfterMs,
    });
    if (v.rank === 0 && (v.notable || series.size === 1)) notableOk ??= v.reason;
    if (v.rank > worst.rank) {
      worst = v;
      worstCount = 1;
    } else if (v.rank === worst.rank && v.rank > 0) worstCount++;
  }
  if (worst.rank === 0 && notableOk) return { status: 'OK', reason: notableOk };
  const more = worstCount > 1 ? ` (and ${worstCount - 1} more partition${worstCount > 2 ? 's' : ''})` : '';
  return { status: worst.status, reason: worst.reason + more };
}

function judgePartition(
  key: string,
  all: { ts: number; p: PartitionSample }[],
  now: number,
  o: { minSamples: number; maxRewinds: number; stoppedAfterMs: number },
): Verdict {
  // Rewinds: a backward move restarts the judgement from that sample; more than maxRewinds is an error.
  let start = 0;
  let rewinds = 0;
  for (let i = 1; i < all.length; i++) {
    if (all[i]!.p.committed >= 0 && all[i]!.p.committed < all[i - 1]!.p.committed) {
      rewinds++;
      start = i;
    }
  }
  if (rewinds > o.maxRewinds) {
    return { status: 'ERROR', rank: rank('ERROR'), reason: `${key}: committed offset moved backwards ${rewinds} times in the window` };
  }
  const seg = all.slice(start);
  const last = seg.at(-1)!.p;
  if (seg.some((s) => s.p.lag <= 0)) return ok(`${key}: lag reached zero in the window`);
  if (seg.length < o.minSamples) {
    return { ...ok(rewinds ? `${key}: rewound, judging restarts` : `${key}: warming up (${seg.length} of ${o.minSamples} samples)`), notable: true };
  }
  const firstC = seg[0]!.p.committed;
  if (last.committed > firstC) {
    const growing = seg.every((s, i) => i === 0 || s.p.lag >= seg[i - 1]!.p.lag) && last.lag > seg[0]!.p.lag;
    if (growing) {
      return { status: 'WARNING', rank: rank('WARNING'), reason: `${key}: lag grew from ${seg[0]!.p.lag} to ${last.lag} while commits advance` };
    }
    return ok(`${key}: commits advance`);
  }
  // Committed unchanged (or only re-committed) over the whole segment while lag stayed above zero.
  let since = last.committedSince ?? seg[0]!.ts;
  for (const s of seg) if (s.p.committed === last.committed) since = Math.min(since, s.p.committedSince ?? s.ts);
  const age = now - since;
  const what = `${key}: committed ${last.committed} unchanged for ${Math.round(age / 1000)}s with lag ${last.lag}`;
  if (age > o.stoppedAfterMs) return { status: 'STOPPED', rank: rank('STOPPED'), reason: what };
  return { status: 'STALLED', rank: rank('STALLED'), reason: what };
}

function ok(reason: string): Verdict {
  return { status: 'OK', rank: 0, reason };
}
