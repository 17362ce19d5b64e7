/**
 * The inference summary per model and version over a window: latency percentiles, throughput, quality (ETA error
 * against deliveries; fraud precision and recall against labels) and feature drift (PSI against the training
 * reference, from bin counts aggregated in ClickHouse and finished by packages/ml `psiFromCounts`).
 */
import { driftLevel, psiFromCounts, type DriftLevel, type FeatureReference } from '@switchyard/ml';
import type { Store } from '@switchyard/store';
import { referenceFor, type ModelReferences } from './references';
import { loadSql } from './sql';

const LATENCY = loadSql('latency');
const ETA_ERROR = loadSql('eta-error');
const FRAUD_QUALITY = loadSql('fraud-quality');
const DRIFT_NUMERIC = loadSql('drift-numeric');
const DRIFT_CATEGORICAL = loadSql('drift-categorical');

/** ETA quality: error = predicted − actual minutes. NaN figures when no prediction has an outcome yet (n = 0). */
export interface EtaError {
  mae: number;
  p90AbsError: number;
  bias: number;
  /** Predictions joined with a delivery. */
  n: number;
}

/** Fraud quality at `threshold`. NaN when undefined (no flagged orders, or no fraud among the labelled). */
export interface FraudQuality {
  precision: number;
  recall: number;
  /** Scored orders with a label (or all, with `unlabelledAsNegative`). */
  n: number;
  threshold: number;
}

/** PSI of one feature over the window; status `unknown` when the window holds no value of it. */
export interface FeatureDrift {
  feature: string;
  psi: number | null;
  status: DriftLevel;
  /** Values in the window. */
  n: number;
}

/** One model version's summary. */
export interface ModelSummary {
  model: string;
  version: string;
  task: 'eta' | 'fraud';
  /** Predictions in the window. */
  n: number;
  latency: { p50: number; p90: number; p99: number };
  throughputPerMin: number;
  error: EtaError | FraudQuality;
  /** One entry per feature of the reference; empty when the version has no reference. */
  drift: FeatureDrift[];
}

/** Options of {@link inferenceSummary}. */
export interface InferenceSummaryOptions {
  from: Date;
  to: Date;
  /** Training references by `model@version` (see `loadReferences`). */
  references: ModelReferences;
  /** Score at or above which an order is flagged (default 0.5). */
  fraudThreshold?: number;
  /** Count scored orders without a label as not fraud (default false: leave them out). */
  unlabelledAsNegative?: boolean;
}

type Num = string | number;
const num = (v: Num | undefined | null): number => (v === undefined || v === null ? NaN : Number(v));

/** Summarises every model version with predictions in [from, to). */
export async function inferenceSummary(store: Store, opts: InferenceSummaryOptions): Promise<ModelSummary[]> {
  const window = { from: opts.from, to: opts.to };
  const threshold = opts.fraudThreshold ?? 0.5;
  const [lat, eta, fraud] = await Promise.all([
    store.query<{ model: string; model_version: string; task: string; n: Num; p50: Num; p90: Num; p99: Num; per_min: Num }>(LATENCY, window),
    store.query<{ model: string; model_version: string; n: Num; mae: Num; p90_abs_error: Num; bias: Num }>(ETA_ERROR, window),
    store.query<{ model: string; model_version: string; n: Num; tp: Num; fp: Num; fn: Num }>(FRAUD_QUALITY, { ...window, threshold, unlabelled_negative: opts.unlabelledAsNegative ? 1 : 0 }),
  ]);
  const k = (r: { model: string; model_version: string }): string => `${r.model}@${r.model_version}`;
  const etaBy = new Map(eta.map((r) => [k(r), r]));
  const fraudBy = new Map(fraud.map((r) => [k(r), r]));
  const out: ModelSummary[] = [];
  for (const r of lat) {
    const task = r.task === 'fraud' ? 'fraud' : 'eta';
    let error: EtaError | FraudQuality;
    if (task === 'eta') {
      const e = etaBy.get(k(r));
      error = { mae: num(e?.mae), p90AbsError: num(e?.p90_abs_error), bias: num(e?.bias), n: num(e?.n ?? 0) };
    } else {
      const f = fraudBy.get(k(r));
      const tp = num(f?.tp ?? 0);
      const fp = num(f?.fp ?? 0);
      const fn = num(f?.fn ?? 0);
      error = { precision: tp + fp ? tp / (tp + fp) : NaN, recall: tp + fn ? tp / (tp + fn) : NaN, n: num(f?.n ?? 0), threshold };
    }
    const ref = referenceFor(opts.references, r.model, r.model_version);
    out.push({
      model: r.model,
      version: r.model_version,
      task,
      n: num(r.n),
      latency: { p50: num(r.p50), p90: num(r.p90), p99: num(r.p99) },
      throughputPerMin: num(r.per_min),
      error,
      drift: ref ? await featureDrift(store, r.model, r.model_version, ref, window) : [],
    });
  }
  return out;
}

/** PSI of every feature of `reference` for one model version over a window. */
export async function featureDrift(store: Store, model: string, version: string, reference: Record<string, FeatureReference>, window: { from: Date; to: Date }): Promise<FeatureDrift[]> {
  const out: FeatureDrift[] = [];
  for (const [feature, ref] of Object.entries(reference)) {
    const params = { model, version, feature, ...window };
    let counts: number[];
    if (ref.kind === 'numeric') {
      counts = new Array<number>(ref.edges.length + 1).fill(0);
      for (const b of await store.query<{ bin: Num; n: Num }>(DRIFT_NUMERIC, { ...params, edges: ref.edges })) counts[Number(b.bin)] = Number(b.n);
    } else {
      counts = new Array<number>(ref.categories.length + 1).fill(0);
      for (const v of await store.query<{ value: string; n: Num }>(DRIFT_CATEGORICAL, params)) {
        const i = ref.categories.indexOf(v.value);
        counts[i >= 0 ? i : ref.categories.length]! += Number(v.n);
      }
    }
    const n = counts.reduce((s, c) => s + c, 0);
    const value = n ? psiFromCounts(ref, counts) : NaN;
    out.push({ feature, psi: Number.isFinite(value) ? value : null, status: driftLevel(value), n });
  }
  return out;
}
