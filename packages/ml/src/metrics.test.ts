import { describe, expect, it } from 'vitest';
import { bestF1Threshold, bias, classificationReport, mae, p90AbsError, percentile, regressionReport, rocAuc } from './metrics';
import { Rng } from './random';

describe('regression metrics', () => {
  const actual = [10, 20, 30, 40];
  const predicted = [12, 18, 33, 40];

  it('computes MAE, bias and the p90 absolute error', () => {
    expect(mae(predicted, actual)).toBe(7 / 4);
    expect(bias(predicted, actual)).toBe(3 / 4);
    // |errors| sorted: 0, 2, 2, 3 -> rank 0.9 * 3 = 2.7 -> 2 + 0.7 * (3 - 2)
    expect(p90AbsError(predicted, actual)).toBeCloseTo(2.7, 12);
    expect(regressionReport(predicted, actual)).toMatchObject({ n: 4, mae: 1.75, bias: 0.75 });
  });

  it('interpolates percentiles and refuses mismatched lengths', () => {
    expect(percentile([5, 1, 3], 50)).toBe(3);
    expect(percentile([1, 2], 25)).toBe(1.25);
    expect(Number.isNaN(percentile([], 50))).toBe(true);
    expect(() => mae([1], [1, 2])).toThrow(/1 predictions but 2 actuals/);
  });
});

describe('classification metrics', () => {
  it('counts precision, recall and F1 at a threshold', () => {
    const r = classificationReport([0.9, 0.8, 0.4, 0.2, 0.7], [1, 0, 1, 0, true], 0.5);
    expect(r).toMatchObject({ tp: 2, fp: 1, fn: 1, tn: 1 });
    expect(r.precision).toBeCloseTo(2 / 3, 12);
    expect(r.recall).toBeCloseTo(2 / 3, 12);
    expect(r.f1).toBeCloseTo(2 / 3, 12);
    expect(Number.isNaN(classificationReport([0.1], [1], 0.5).precision)).toBe(true);
  });

  it('computes ROC AUC: 1 for a perfect ranking, 0.5 for ties, near 0.5 for noise', () => {
    expect(rocAuc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1])).toBe(1);
    expect(rocAuc([0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1])).toBe(0.5);
    expect(rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBe(0.75);
    const rng = new Rng(9);
    const scores = Array.from({ length: 4000 }, () => rng.next());
    const labels = scores.map(() => rng.bernoulli(0.3));
    expect(Math.abs(rocAuc(scores, labels) - 0.5)).toBeLessThan(0.04);
    expect(Number.isNaN(rocAuc([0.2, 0.3], [0, 0]))).toBe(true);
  });

  it('picks the threshold with the best F1', () => {
    expect(bestF1Threshold([0.9, 0.8, 0.3, 0.2, 0.1], [1, 1, 0, 0, 1])).toBe(0.8); // F1 0.8 beats 0.75 at 0.1
    expect(bestF1Threshold([0.9, 0.7, 0.6, 0.2], [1, 1, 1, 0])).toBe(0.6);
  });
});
