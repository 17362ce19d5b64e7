/**
 * Reads behind /metrics and the SSE snapshot, each cached for a short time and shared by concurrent callers, so a
 * scrape (or any number of open consoles) costs one query per family per cache period.
 */
import { featureDrift, loadReferences, referenceFor, type ModelReferences } from '@switchyard/collectors/inference';
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

/** One row of metrics-lag.sql: one (group, topic) of the group's newest sweep, partitions in parallel arrays. */
export interface LagRow {
  group: string;
  topic: string;
  /** Sorted ascending; `lag_messages[i]` and `lag_seconds[i]` belong to `partitions[i]`. */
  partitions: number[];
  lag_messages: number[];
  /** Null where the age was not probed. */
  lag_seconds: (number | null)[];
}

/** Queue counts as the live feed and /metrics use them. */
export interface QueueDepth {
  queue: string;
  counts: Record<string, number>;
  updatedAt: string;
}

/** One series of switchyard_inference_drift_psi. */
export interface DriftRow {
  model: string;
  version: string;
  feature: string;
  psi: number;
}

/** The cached reads. */
export interface MetricsSource {
  groups(): Promise<GroupSummary[]>;
  lag(): Promise<LagRow[]>;
  queues(): Promise<QueueDepth[]>;
  /** PSI of every feature of every model version with predictions in the drift window and a training reference. */
  drift(): Promise<DriftRow[]>;
  /** Runs a named query of queries/ through the cache (for the families read only by /metrics). */
  family<T>(name: string, params?: () => Record<string, unknown>): () => Promise<T[]>;
  /** A counter-like family kept in memory and grown by what was tapped since the last read ({@link cumulative}). */
  cumulative<T extends Record<string, unknown>>(name: string, opts: CumulativeOptions<T>): () => Promise<T[]>;
}

/** How a cumulative family's rows are keyed and added. */
export interface CumulativeOptions<T> {
  /** The identity of a row (its labels). */
  key: (row: T) => string;
  /** The numeric fields that add up across reads. */
  sum: readonly (keyof T & string)[];
  /** Parameters besides the tapped_at window. */
  params?: () => Record<string, unknown>;
}

/**
 * Rows become visible to a read only once their tap batch is inserted; the window ends this long before now so
 * that a batch in flight lands inside the next window rather than behind the watermark.
 */
export const CUMULATIVE_SETTLE_MS = 10_000;

/**
 * A Prometheus counter over `events` that does not rescan the table on every scrape. The first read counts
 * everything stored up to the watermark (`tapped_at <= upto`); each later read adds the rows tapped in
 * `(after, upto]` only, which the tapped_at skip index (migration 0060) keeps to the newest granules. Unlike a
 * count over the whole table it never goes down when retention drops old rows (counter semantics). A row the tap
 * stores twice across the watermark (a re-read after a crash) is counted twice: a small, rare overcount.
 */
export function cumulative<T extends Record<string, unknown>>(
  read: (params: Record<string, unknown>) => Promise<T[]>,
  opts: CumulativeOptions<T>,
  clock: Clock,
): () => Promise<T[]> {
  const totals = new Map<string, T>();
  let after = new Date(0);
  let tail: Promise<unknown> = Promise.resolve();
  const step = async (): Promise<T[]> => {
    const upto = new Date(Math.max(after.getTime(), clock.now() - CUMULATIVE_SETTLE_MS));
    if (upto.getTime() > after.getTime()) {
      const rows = await read({ ...opts.params?.(), after, upto });
      for (const r of rows) {
        const k = opts.key(r);
        const prev = totals.get(k);
        if (!prev) totals.set(k, { ...r, ...Object.fromEntries(opts.sum.map((f) => [f, Number(r[f] ?? 0)])) });
        else for (const f of opts.sum) (prev as Record<string, unknown>)[f] = Number(prev[f] ?? 0) + Number(r[f] ?? 0);
      }
      after = upto;
    }
    return [...totals.values()];
  };
  // One read at a time: two overlapping reads of the same window would count it twice.
  return () => {
    const run = tail.then(step);
    tail = run.catch(() => undefined);
    return run;
  };
}

/** Options of {@link createMetricsSource}. */
export interface MetricsSourceOptions {
  /**
   * Training references for drift (default: collectors/inference `loadReferences()`, read on first use; if that
   * fails the error is thrown once, to be counted and logged, and drift stays empty after).
   */
  references?: () => ModelReferences;
  /** Window the drift PSI is computed over, ending now (default 3,600,000: the hour of the other inference gauges). */
  driftWindowMs?: number;
  /**
   * How long a drift result is reused (default the larger of 60,000 and `ttlMs`): it costs one query per feature
   * per model version, and a PSI over an hour moves slowly.
   */
  driftTtlMs?: number;
}

/** References loaded once per source; a failed load leaves `{}` behind so it is reported only once. */
function defaultReferences(): () => ModelReferences {
  let refs: ModelReferences | undefined;
  return () => {
    if (refs) return refs;
    refs = {};
    refs = loadReferences();
    return refs;
  };
}

/** Creates the cached reads over a store. */
export function createMetricsSource(store: Store, clock: Clock, ttlMs: number, opts: MetricsSourceOptions = {}): MetricsSource {
  const since = (): Date => new Date(clock.now() - LIVE_WINDOW_MS);
  const references = opts.references ?? defaultReferences();
  const driftWindowMs = opts.driftWindowMs ?? 3_600_000;
  return {
    groups: cached(async () => (await store.query<GroupRow>(sql('groups-list'), { since: new Date(clock.now() - GROUP_SEEN_WITHIN_MS), after: '', limit: 10_000 })).map(toGroupSummary), ttlMs, clock),
    lag: cached(() => store.query<LagRow>(sql('metrics-lag'), { since: since() }), ttlMs, clock),
    queues: cached(async () => {
      const depth = foldDepth(await store.query<DepthRow>(sql('queues-depth'), { since: new Date(clock.now() - GROUP_SEEN_WITHIN_MS), after: '', limit: 10_000 }));
      return [...depth].map(([queue, d]) => ({ queue, counts: d.counts, updatedAt: new Date(d.updatedMs).toISOString() }));
    }, ttlMs, clock),
    drift: cached(async () => {
      const to = new Date(clock.now());
      const from = new Date(to.getTime() - driftWindowMs);
      const refs = references();
      const live = await store.query<{ model: string; model_version: string }>(sql('metrics-inference-models'), { since: from });
      const perVersion = await Promise.all(
        live.map(async ({ model, model_version: version }) => {
          const ref = referenceFor(refs, model, version);
          const drift = ref ? await featureDrift(store, model, version, ref, { from, to }) : [];
          return drift.flatMap((d) => (d.psi === null ? [] : [{ model, version, feature: d.feature, psi: d.psi }]));
        }),
      );
      return perVersion.flat();
    }, opts.driftTtlMs ?? Math.max(60_000, ttlMs), clock),
    family: <T>(name: string, params?: () => Record<string, unknown>) => cached(() => store.query<T>(sql(name), params?.()), ttlMs, clock),
    cumulative: <T extends Record<string, unknown>>(name: string, opts: CumulativeOptions<T>) =>
      cached(cumulative((p) => store.query<T>(sql(name), p), opts, clock), ttlMs, clock),
  };
}
