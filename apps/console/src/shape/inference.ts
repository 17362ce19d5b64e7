/**
 * Inference page shaping: one entry per model version with latency, error (ETA: MAE, p90 absolute error,
 * bias; fraud: precision, recall) and drift per feature (PSI, with its level). Read leniently.
 */

/** A model version as the page shows it. */
export interface ModelView {
  key: string;
  model: string;
  version: string;
  task: string;
  n: number;
  latency: { p50: number | null; p90: number | null; p99: number | null };
  /** Named error figures in display order. */
  error: { label: string; value: number | null; unit: 'min' | 'ratio' | 'count' }[];
  drift: { feature: string; psi: number | null; status: string }[];
  /** The worst drift level among the features. */
  driftStatus: string;
}

type O = Record<string, unknown>;
const obj = (v: unknown): O => (v && typeof v === 'object' && !Array.isArray(v) ? (v as O) : {});
const n = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** PSI level: under 0.1 none, under 0.25 moderate, else significant (the usual PSI reading). */
export function psiLevel(psi: number | null): string {
  if (psi === null) return 'unknown';
  return psi < 0.1 ? 'stable' : psi < 0.25 ? 'moderate' : 'significant';
}

const LEVELS = ['significant', 'moderate', 'stable', 'unknown'];

/** Shapes `{items}`, `{models}` or a bare array of model summaries. */
export function toModelViews(body: unknown): ModelView[] {
  const b = obj(body);
  const list: unknown[] = Array.isArray(body) ? body : Array.isArray(b.items) ? b.items : Array.isArray(b.models) ? b.models : [];
  return list.map((raw) => {
    const m = obj(raw);
    const e = obj(m.error);
    const lat = obj(m.latency ?? m.latencyMs);
    const task = String(m.task ?? ('precision' in e ? 'fraud' : 'eta'));
    const error: ModelView['error'] =
      task === 'fraud'
        ? [
            { label: 'precision', value: n(e.precision), unit: 'ratio' },
            { label: 'recall', value: n(e.recall), unit: 'ratio' },
            { label: 'labelled', value: n(e.n), unit: 'count' },
          ]
        : [
            { label: 'MAE', value: n(e.mae), unit: 'min' },
            { label: 'p90 abs error', value: n(e.p90AbsError), unit: 'min' },
            { label: 'bias', value: n(e.bias), unit: 'min' },
            { label: 'joined', value: n(e.n), unit: 'count' },
          ];
    const drift = (Array.isArray(m.drift) ? m.drift : []).map((d) => {
      const o = obj(d);
      const psi = n(o.psi);
      return { feature: String(o.feature ?? '?'), psi, status: typeof o.status === 'string' ? o.status : psiLevel(psi) };
    });
    drift.sort((a, b2) => (b2.psi ?? -1) - (a.psi ?? -1));
    const driftStatus = LEVELS.find((l) => drift.some((d) => d.status === l)) ?? 'unknown';
    const model = String(m.model ?? '?');
    const version = String(m.version ?? m.modelVersion ?? '?');
    return { key: `${model}@${version}`, model, version, task, n: n(m.n) ?? 0, latency: { p50: n(lat.p50), p90: n(lat.p90 ?? lat.p95), p99: n(lat.p99) }, error, drift, driftStatus };
  });
}
