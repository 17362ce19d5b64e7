/**
 * Population stability index: how far the distribution of a feature seen in production has moved from the one the
 * model was trained on. `PSI = Σ (actualᵢ − expectedᵢ) · ln(actualᵢ / expectedᵢ)` over the bins of a reference
 * histogram built from the training data.
 *
 * Thresholds are the usual credit-scoring rule of thumb: below 0.1 the population is stable, 0.1 to 0.25 is a
 * moderate shift worth a look, above 0.25 the feature has drifted and the model's error should be checked.
 * With 10 bins, sampling noise alone adds about 9 / n (0.002 at 5,000 rows), so windows of a few hundred rows or
 * more are needed before the thresholds mean anything.
 */

/** PSI at or above this is a moderate shift (warn). */
export const PSI_WARN = 0.1;
/** PSI at or above this is drift. */
export const PSI_DRIFT = 0.25;
/** Proportion used in place of an empty bin, on either side, so that the logarithm stays finite. */
export const PSI_EPSILON = 1e-4;
/** Bins in a numeric reference histogram unless told otherwise (deciles of the training data). */
export const PSI_BINS = 10;

/**
 * A numeric feature's training histogram. Bin `i` holds values in `(edges[i-1], edges[i]]`; the first bin is open
 * below, the last (index `edges.length`) open above. Edges are training quantiles, deduplicated, so a feature with
 * few distinct values (an hour, an item count) gets fewer, wider bins.
 */
export interface NumericReference {
  kind: 'numeric';
  edges: number[];
  /** Share of training rows per bin; `edges.length + 1` entries summing to 1. */
  proportions: number[];
  /** Training rows the histogram was built from. */
  count: number;
}

/** A categorical feature's training shares. A value outside `categories` counts in an implicit "other" bin. */
export interface CategoricalReference {
  kind: 'categorical';
  categories: string[];
  /** Share of training rows per category, in the order of `categories`, summing to 1. */
  proportions: number[];
  count: number;
}

/** The reference histogram of one feature. */
export type FeatureReference = NumericReference | CategoricalReference;

/** How a PSI value reads against the thresholds; `unknown` when there was no sample to judge. */
export type DriftLevel = 'ok' | 'warn' | 'drift' | 'unknown';

/** Builds a numeric reference from training values (non-finite ones are skipped). `bins` defaults to `PSI_BINS`. */
export function numericReference(values: readonly number[], bins = PSI_BINS): NumericReference {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) throw new RangeError('numericReference: no finite values');
  const n = sorted.length;
  const edges: number[] = [];
  for (let k = 1; k < bins; k++) {
    const v = sorted[Math.min(n - 1, Math.floor((k * n) / bins))] as number;
    if (v >= (sorted[n - 1] as number)) break; // an edge at the maximum would leave the last bin empty
    if (edges.length === 0 || v > (edges[edges.length - 1] as number)) edges.push(v);
  }
  const ref: NumericReference = { kind: 'numeric', edges, proportions: [], count: n };
  ref.proportions = toProportions(countBins(ref, sorted));
  return ref;
}

/** Builds a categorical reference; `categories` fixes the order (default: the values seen, sorted). */
export function categoricalReference(values: readonly string[], categories?: readonly string[]): CategoricalReference {
  if (values.length === 0) throw new RangeError('categoricalReference: no values');
  const cats = categories ? [...categories] : [...new Set(values)].sort();
  const ref: CategoricalReference = { kind: 'categorical', categories: cats, proportions: [], count: values.length };
  const counts = countBins(ref, values);
  if ((counts[cats.length] as number) > 0) throw new RangeError(`categoricalReference: values outside the categories ${cats.join(', ')}`);
  ref.proportions = toProportions(counts.slice(0, cats.length));
  return ref;
}

/**
 * The bin a value falls in: `0..edges.length` for numeric, the category's index for categorical, with
 * `categories.length` meaning "other". Returns -1 for a value that cannot be placed (not a finite number).
 */
export function binIndex(ref: FeatureReference, value: unknown): number {
  if (ref.kind === 'categorical') {
    const i = ref.categories.indexOf(String(value));
    return i >= 0 ? i : ref.categories.length;
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) return -1;
  let lo = 0;
  let hi = ref.edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (value <= (ref.edges[mid] as number)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Counts sample values per bin (the "other" bin last for categorical); values that cannot be placed are skipped. */
export function countBins(ref: FeatureReference, values: readonly unknown[]): number[] {
  const counts = new Array<number>(ref.kind === 'numeric' ? ref.edges.length + 1 : ref.categories.length + 1).fill(0);
  for (const v of values) {
    const b = binIndex(ref, v);
    if (b >= 0) counts[b] = (counts[b] as number) + 1;
  }
  return counts;
}

/**
 * PSI from per-bin counts, as `countBins` lays them out: lets a store aggregate counts (one GROUP BY) and the
 * caller finish here. Returns NaN when the counts sum to zero.
 */
export function psiFromCounts(ref: FeatureReference, counts: readonly number[]): number {
  const total = counts.reduce((s, c) => s + c, 0);
  if (total === 0) return NaN;
  const expected = ref.kind === 'categorical' ? [...ref.proportions, 0] : ref.proportions;
  let sum = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = Math.max(expected[i] as number, PSI_EPSILON);
    const a = Math.max((counts[i] ?? 0) / total, PSI_EPSILON);
    sum += (a - e) * Math.log(a / e);
  }
  return sum;
}

/** PSI of a numeric sample against its reference; NaN for an empty sample (non-finite values are skipped). */
export function psi(ref: NumericReference, sample: readonly number[]): number {
  return psiFromCounts(ref, countBins(ref, sample));
}

/** PSI of a categorical sample against its reference; unknown categories count against the reference. */
export function categoricalPsi(ref: CategoricalReference, sample: readonly string[]): number {
  return psiFromCounts(ref, countBins(ref, sample));
}

/** PSI of any feature's sample against its reference (booleans and numbers are compared as strings for categorical). */
export function featurePsi(ref: FeatureReference, sample: readonly unknown[]): number {
  return psiFromCounts(ref, countBins(ref, sample));
}

/** Reads a PSI value against `PSI_WARN` and `PSI_DRIFT`. */
export function driftLevel(value: number): DriftLevel {
  if (!Number.isFinite(value)) return 'unknown';
  if (value >= PSI_DRIFT) return 'drift';
  if (value >= PSI_WARN) return 'warn';
  return 'ok';
}

/** Checks a reference read from a file; returns the problems found, each starting with `at`. */
export function validateReference(value: unknown, at: string): string[] {
  if (typeof value !== 'object' || value === null) return [`${at} is not an object`];
  const r = value as Record<string, unknown>;
  const problems: string[] = [];
  const props = r.proportions;
  if (!Array.isArray(props) || !props.every((p) => typeof p === 'number' && p >= 0 && p <= 1)) problems.push(`${at}.proportions must be an array of numbers in [0, 1]`);
  else if (Math.abs(props.reduce((s: number, p: number) => s + p, 0) - 1) > 1e-3) problems.push(`${at}.proportions must sum to 1`);
  if (!Number.isInteger(r.count) || (r.count as number) <= 0) problems.push(`${at}.count must be a positive integer`);
  const n = Array.isArray(props) ? props.length : -1;
  if (r.kind === 'numeric') {
    const e = r.edges;
    if (!Array.isArray(e) || !e.every((v, i) => Number.isFinite(v) && (i === 0 || (v as number) > (e[i - 1] as number)))) problems.push(`${at}.edges must be strictly increasing finite numbers`);
    else if (n !== e.length + 1) problems.push(`${at} has ${e.length} edges, so needs ${e.length + 1} proportions, not ${n}`);
  } else if (r.kind === 'categorical') {
    const c = r.categories;
    if (!Array.isArray(c) || c.length === 0 || !c.every((v) => typeof v === 'string')) problems.push(`${at}.categories must be a non-empty array of strings`);
    else if (n !== c.length) problems.push(`${at} has ${c.length} categories but ${n} proportions`);
  } else problems.push(`${at}.kind must be "numeric" or "categorical", got ${JSON.stringify(r.kind)}`);
  return problems;
}

function toProportions(counts: number[]): number[] {
  const total = counts.reduce((s, c) => s + c, 0);
  return counts.map((c) => Number((c / total).toPrecision(6)));
}
