/**
 * Reads behind /metrics and the SSE snapshot, each cached for a short time and shared by concurrent callers, so a
 * scrape (or any number of open consoles) costs one query per family per cache period.
 */
import type { Clock } from '@switchyard/telemetry/clock';
import type { Store } from '@switchyard/store/types';
import { GROUP_SEEN_WITHIN_MS, toGroupSummary, type GroupRow, type GroupSummary } from '../handlers/consumer-groups';
import { foldDepth, type DepthRow } from '../handlers/queues';
import { sql } from '../queries/index';

/** Wraps a loader so its result is reused for `ttlMs` and concurrent calls share one run. Failures are not kept. */
export function cached<T>(load: () => Promise<T>, ttlMs: number, clock: Clock): () => Promise<T> {
  let value: { at: number; v: T } | undefined;
  let inFlight: Promise<T> | undefined;
  return () => {
    if (value && clock.now() - value.at < ttlMs) return Promise.resolve(value.v);
    inFlight ??= load()
      .then((v) => {
        value = { at: clock.now(), v };
        return v;
      })
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  };
}

/** How far back /metrics and the live feed look for the newest lag sweep (15 minutes). */
export const LIVE_WINDOW_MS = 15 * 60_000;

/** One row of metrics-lag.sql. */
export interface LagRow {
  group: string;
  topic: string;
  partition: number;
  lag_messages: string;
  lag_seconds: number | null;
}

/** Queue counts as the live feed and /metrics use them. */
export interface QueueDepth {
  queue: string;
  counts: Record<string, number>;
  updatedAt: string;
}

/** The cached reads. */
export interface MetricsSource {
  groups(): Promise<GroupSummary[]>;
  lag(): Promise<LagRow[]>;
  queues(): Promise<QueueDepth[]>;
  /** Runs a named query of queries/ through the cache (for the families read only by /metrics). */
  family<T>(name: string, params?: () => Record<string, unknown>): () => Promise<T[]>;
}

/** Creates the cached reads over a store. */
export function createMetricsSource(store: Store, clock: Clock, ttlMs: number): MetricsSource {
  const since = (): Date => new Date(clock.now() - LIVE_WINDOW_MS);
  return {
    groups: cached(async () => (await store.query<GroupRow>(sql('groups-list'), { since: new Date(clock.now() - GROUP_SEEN_WITHIN_MS), after: '', limit: 10_000 })).map(toGroupSummary), ttlMs, clock),
    lag: cached(() => store.query<LagRow>(sql('metrics-lag'), { since: since() }), ttlMs, clock),
    queues: cached(async () => {
      const depth = foldDepth(await store.query<DepthRow>(sql('queues-depth'), { since: new Date(clock.now() - GROUP_SEEN_WITHIN_MS), after: '', limit: 10_000 }));
      return [...depth].map(([queue, d]) => ({ queue, counts: d.counts, updatedAt: new Date(d.updatedMs).toISOString() }));
    }, ttlMs, clock),
    family: <T>(name: string, params?: () => Record<string, unknown>) => cached(() => store.query<T>(sql(name), params?.()), ttlMs, clock),
  };
}
