/**
 * The live feed's memory: a bounded buffer of `metrics`/`snapshot` events from GET /api/v1/stream, and the
 * latest progress of each running action. Pure: the event and the clock in, the next state out.
 */
import type { LagRow } from './lag';
import { toMs } from './time';

/** One snapshot as the stream sends it (read leniently). */
export interface LiveSnapshot {
  atMs: number;
  groups: { group: string; status: string; lagMessages: number; lagSeconds: number | null }[];
  queues: { queue: string; counts: Record<string, number> }[];
  stages: { stage: string; rate: number | null }[];
  error?: string;
}

/** A progress report of a replay, redrive or throttle. */
export interface Progress {
  kind: string;
  id: string;
  state: string;
  matched: number;
  done: number;
  failed: number;
}

const n = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const nn = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const arr = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? v.filter((x): x is Record<string, unknown> => !!x && typeof x === 'object') : []);

/** Reads a `snapshot` or `metrics` event's data; null when it is not JSON or has no time. */
export function parseSnapshot(data: string, nowMs: number): LiveSnapshot | null {
  let o: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(data);
    if (!parsed || typeof parsed !== 'object') return null;
    o = parsed as Record<string, unknown>;
  } catch {
    return null;
  }
  const at = toMs(o.at);
  return {
    atMs: Number.isFinite(at) ? at : nowMs,
    groups: arr(o.groups).map((g) => ({ group: String(g.group ?? ''), status: String(g.status ?? 'UNKNOWN'), lagMessages: n(g.lagMessages), lagSeconds: nn(g.lagSeconds) })),
    queues: arr(o.queues).map((q) => ({ queue: String(q.queue ?? ''), counts: Object.fromEntries(Object.entries((q.counts as Record<string, unknown>) ?? {}).map(([k, v]) => [k, n(v)])) })),
    stages: arr(o.stages).map((s) => ({ stage: String(s.stage ?? ''), rate: nn(s.rate ?? s.ratePerSec) })),
    ...(typeof o.error === 'string' ? { error: o.error } : {}),
  };
}

/** Appends a snapshot, dropping those older than `windowMs` (default 30 minutes) and keeping time order. */
export function appendSnapshot(buf: readonly LiveSnapshot[], snap: LiveSnapshot, nowMs: number, windowMs = 30 * 60_000): LiveSnapshot[] {
  const since = nowMs - windowMs;
  const kept = buf.filter((s) => s.atMs >= since && s.atMs !== snap.atMs);
  if (snap.atMs >= since) kept.push(snap);
  kept.sort((a, b) => a.atMs - b.atMs);
  return kept;
}

/** A group's lag as {@link LagRow}s from the buffer (group level: no partition). */
export function groupLagRows(buf: readonly LiveSnapshot[], group: string): LagRow[] {
  const out: LagRow[] = [];
  for (const s of buf) {
    const g = s.groups.find((x) => x.group === group);
    if (g) out.push({ at: s.atMs, lagMessages: g.lagMessages, lagSeconds: g.lagSeconds });
  }
  return out;
}

/** Reads a `progress` event's data; null when it is not one. */
export function parseProgress(data: string): Progress | null {
  try {
    const o = JSON.parse(data) as Record<string, unknown>;
    if (!o || typeof o.id !== 'string') return null;
    return { kind: String(o.kind ?? ''), id: o.id, state: String(o.state ?? 'running'), matched: n(o.matched), done: n(o.done), failed: n(o.failed) };
  } catch {
    return null;
  }
}

/** Terminal states: progress stops there. */
export const FINAL_STATES = new Set(['done', 'failed', 'cancelled']);

/** Merges a progress event: counters never go backwards, and a final state is never overwritten by a late one. */
export function applyProgress(map: Readonly<Record<string, Progress>>, p: Progress): Record<string, Progress> {
  const prev = map[p.id];
  if (prev && FINAL_STATES.has(prev.state) && !FINAL_STATES.has(p.state)) return { ...map };
  const next: Progress = prev ? { ...p, matched: Math.max(prev.matched, p.matched), done: Math.max(prev.done, p.done), failed: Math.max(prev.failed, p.failed) } : p;
  return { ...map, [p.id]: next };
}
