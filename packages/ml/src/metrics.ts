/**
 * Error measures for predictions whose outcome is now known: regression (ETA) and binary classification (fraud).
 * Every function takes plain arrays, pairs element i of one with element i of the other, and throws a
 * `RangeError` when their lengths differ. On empty input they return NaN rather than a made-up zero.
 */

function sameLength(a: ArrayLike<unknown>, b: ArrayLike<unknown>, fn: string): void {
  if (a.length !== b.length) throw new RangeError(`${fn}: ${a.length} predictions but ${b.length} actuals`);
}

/**
 * The `p`-th percentile (0..100) with linear interpolation between closest ranks (numpy's default), NaN when empty.
 * Sorts a copy; the input is left as it was.
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile: p must be within 0..100, got ${p}`);
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  const a = sorted[lo] as number;
  return a + ((sorted[hi] as number) - a) * (rank - lo);
}

/** Mean absolute error. */
export function mae(predicted: readonly number[], actual: readonly number[]): number {
  sameLength(predicted, actual, 'mae');
  if (predicted.length === 0) return NaN;
  let s = 0;
  for (let i = 0; i < predicted.length; i++) s += Math.abs((predicted[i] as number) - (actual[i] as number));
  return s / predicted.length;
}

/** Root mean squared error. */
export function rmse(predicted: readonly number[], actual: readonly number[]): number {
  sameLength(predicted, actual, 'rmse');
  if (predicted.length === 0) return NaN;
  let s = 0;
  for (let i = 0; i < predicted.length; i++) s += ((predicted[i] as number) - (actual[i] as number)) ** 2;
  return Math.sqrt(s / predicted.length);
}

/** The 90th percentile of the absolute error: how wrong the worst tenth of predictions are, at least. */
export function p90AbsError(predicted: readonly number[], actual: readonly number[]): number {
  sameLength(predicted, actual, 'p90AbsError');
  return percentile(
    predicted.map((p, i) => Math.abs(p - (actual[i] as number))),
    90,
  );
}

/** Mean of `predicted − actual`: positive when the model over-predicts (an ETA that is too pessimistic). */
export function bias(predicted: readonly number[], actual: readonly number[]): number {
  sameLength(predicted, actual, 'bias');
  if (predicted.length === 0) return NaN;
  let s = 0;
  for (let i = 0; i < predicted.length; i++) s += (predicted[i] as number) - (actual[i] as number);
  return s / predicted.length;
}

/** The regression figures reported for an ETA model. */
export interface RegressionReport {
  n: number;
  mae: number;
  p90AbsError: number;
  bias: number;
  rmse: number;
}

/** MAE, p90 absolute error, bias and RMSE in one call. */
export function regressionReport(predicted: readonly number[], actual: readonly number[]): RegressionReport {
  return { n: predicted.length, mae: mae(predicted, actual), p90AbsError: p90AbsError(predicted, actual), bias: bias(predicted, actual), rmse: rmse(predicted, actual) };
}

/** Counts and rates of a classifier at one threshold. */
export interface ClassificationReport {
  threshold: number;
  tp: number;
  fp: number;
  tn: number;
  fn: number;
  /** tp / (tp + fp); NaN when nothing was flagged. */
  precision: number;
  /** tp / (tp + fn); NaN when there were no positives. */
  recall: number;
  /** Harmonic mean of precision and recall; 0 when either is 0, NaN when either is NaN. */
  f1: number;
}

/**
 * Precision, recall and F1 when a score at or above `threshold` is flagged positive. Labels are 0/1 or booleans.
 */
export function classificationReport(scores: readonly number[], labels: readonly (number | boolean)[], threshold: number): ClassificationReport {
  sameLength(scores, labels, 'classificationReport');
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  for (let i = 0; i < scores.length; i++) {
    const flagged = (scores[i] as number) >= threshold;
    const positive = labels[i] === true || labels[i] === 1;
    if (flagged && positive) tp++;
    else if (flagged) fp++;
    else if (positive) fn++;
    else tn++;
  }
  const precision = tp + fp === 0 ? NaN : tp / (tp + fp);
  const recall = tp + fn === 0 ? NaN : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { threshold, tp, fp, tn, fn, precision, recall, f1 };
}

/**
 * Area under the ROC curve: the chance that a random positive scores above a random negative (ties count half),
 * computed from ranks (Mann-Whitney U). NaN when either class is absent.
 */
export function rocAuc(scores: readonly number[], labels: readonly (number | boolean)[]): number {
  sameLength(scores, labels, 'rocAuc');
  const order = scores.map((s, i) => [s, i] as const).sort((a, b) => a[0] - b[0]);
  let nPos = 0;
  let rankSumPos = 0;
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end + 1 < order.length && (order[end + 1] as readonly [number, number])[0] === (order[start] as readonly [number, number])[0]) end++;
    const midRank = (start + end) / 2 + 1; // tied scores share the mean of their ranks
    for (let k = start; k <= end; k++) {
      const label = labels[(order[k] as readonly [number, number])[1]];
      if (label === true || label === 1) {
        nPos++;
        rankSumPos += midRank;
      }
    }
    start = end + 1;
  }
  const nNeg = scores.length - nPos;
  if (nPos === 0 || nNeg === 0) return NaN;
  return (rankSumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/**
 * The threshold, among the distinct scores, that maximises F1: how the fraud model's decision threshold is chosen
 * on validation data. Returns 0.5 when there are no positives.
 */
export function bestF1Threshold(scores: readonly number[], labels: readonly (number | boolean)[]): number {
  sameLength(scores, labels, 'bestF1Threshold');
  const pairs = scores.map((s, i) => [s, labels[i] === true || labels[i] === 1] as const).sort((a, b) => b[0] - a[0]);
  const totalPos = pairs.filter((p) => p[1]).length;
  if (totalPos === 0) return 0.5;
  let tp = 0;
  let flagged = 0;
  let best = { f1: -1, threshold: 0.5 };
  for (let i = 0; i < pairs.length; i++) {
    const [score, positive] = pairs[i] as readonly [number, boolean];
    flagged++;
    if (positive) tp++;
    // Only a boundary between distinct scores is a threshold one can actually set.
    if (i + 1 < pairs.length && (pairs[i + 1] as readonly [number, boolean])[0] === score) continue;
    const f1 = (2 * tp) / (flagged + totalPos);
    if (f1 > best.f1) best = { f1, threshold: score };
  }
  return best.threshold;
}
