/**
 * The periodic job that turns EtaPredicted and FraudScored events (tapped into `events`) into `inference` rows,
 * and FraudLabelled events into `fraud_labels` (what precision and recall of the fraud model are computed against).
 * Incremental and restart-safe without state of its own: the watermark is the newest tap time already in
 * `inference`; each run re-reads from the watermark minus an overlap (rows may land in `events` slightly out of
 * tap order), and the ReplacingMergeTree key of `inference` folds the re-read predictions into one.
 */
import type { Store } from '@switchyard/store';
import type { Clock } from '@switchyard/telemetry/clock';
import type { Logger } from '@switchyard/telemetry/log';
import { createLogger } from '@switchyard/telemetry/log';
import { createPeriodicLoop, type PeriodicLoop } from '../runtime/loop';
import { loadSql } from './sql';

const MATERIALIZE = loadSql('materialize');
const LABELS = loadSql('labels');
const WATERMARK = loadSql('watermark');

/** Options of {@link materializeInference}. */
export interface MaterializeOptions {
  /** How far before the watermark each run re-reads, in ms (default 60000). */
  overlapMs?: number;
}

/** What one run did. */
export interface MaterializeResult {
  /** Tap time the run read from. */
  since: Date;
  /** Rows in `inference` after the run (before merges fold re-read duplicates). */
  rows: number;
}

/**
 * One incremental run: INSERT ... SELECT from `events` after the watermark, predictions then labels (both from
 * the same `since`: a label is tapped after its order's prediction). Throws StoreError on failure.
 */
export async function materializeInference(store: Store, opts: MaterializeOptions = {}): Promise<MaterializeResult> {
  const [w] = await store.query<{ watermark: string; rows: string }>(WATERMARK);
  const watermarkMs = w && Number(w.rows) > 0 ? Date.parse(w.watermark.replace(' ', 'T') + 'Z') : 0;
  const since = new Date(Math.max(0, watermarkMs - (opts.overlapMs ?? 60_000)));
  await store.command(MATERIALIZE, { since });
  await store.command(LABELS, { since });
  const [after] = await store.query<{ rows: string }>(WATERMARK);
  return { since, rows: Number(after?.rows ?? 0) };
}

/** Options of {@link createInferenceCollector}. */
export interface InferenceCollectorOptions extends MaterializeOptions {
  store: Store;
  /** Time between runs (default 10000 ms). */
  intervalMs?: number;
  /** Budget of one run (default 60000 ms). */
  timeoutMs?: number;
  /** Receives every failed run (default: logged). Never throws into the loop. */
  onError?: (err: unknown) => void;
  clock?: Clock;
  logger?: Logger;
}

/** The inference materialiser on the shared periodic loop: `start()`, `stop()`, `runNow()`, `stats()`. */
export function createInferenceCollector(opts: InferenceCollectorOptions): PeriodicLoop {
  const log = opts.logger ?? createLogger('collector.inference');
  return createPeriodicLoop({
    name: 'inference',
    intervalMs: opts.intervalMs ?? 10_000,
    timeoutMs: opts.timeoutMs ?? 60_000,
    clock: opts.clock,
    logger: log,
    run: async () => {
      const r = await materializeInference(opts.store, opts);
      log.debug('inference materialised', { since: r.since.toISOString(), rows: r.rows });
    },
    onError: opts.onError ?? ((err) => log.error('inference run failed', { err })),
  });
}
