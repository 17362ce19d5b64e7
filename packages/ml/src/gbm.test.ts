import { describe, expect, it } from 'vitest';
import { Gbm, validateGbmJson } from './gbm';
import { fitGbm } from './gbm-fit';
import { mae, rocAuc } from './metrics';
import { Rng } from './random';

/** y = 3 sin(x0) + x1² + 2·[x2 > 0.5] + small noise: smooth, curved and stepped at once. */
function knownFunction(n: number, seed: number): { X: number[][]; y: number[] } {
  const rng = new Rng(seed);
  const X: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = [rng.uniform(-3, 3), rng.uniform(-2, 2), rng.next(), rng.normal()];
    X.push(x);
    y.push(3 * Math.sin(x[0]!) + x[1]! ** 2 + (x[2]! > 0.5 ? 2 : 0) + rng.normal(0, 0.1));
  }
  return { X, y };
}

describe('gradient-boosted trees', () => {
  it('fits a known function with an MAE at least 3x below the mean baseline', () => {
    const train = knownFunction(4000, 1);
    const test = knownFunction(1000, 2);
    const model = fitGbm(train.X, train.y, { nTrees: 100, maxDepth: 4, learningRate: 0.15 });
    const mean = train.y.reduce((s, v) => s + v, 0) / train.y.length;
    const baseline = mae(test.y.map(() => mean), test.y);
    const fitted = mae(test.X.map((x) => model.predict(x)), test.y);
    expect(fitted * 3).toBeLessThan(baseline);
    // The noise column carries nothing: it should earn far less gain than the signal columns.
    const gain = model.toJSON().featureGain;
    expect(gain[3]!).toBeLessThan(gain[0]! / 10);
  });

  it('separates classes with the logistic objective and returns probabilities', () => {
    const rng = new Rng(7);
    const X: number[][] = [];
    const y: number[] = [];
    for (let i = 0; i < 5000; i++) {
      const x = [rng.normal(), rng.normal(), rng.int(0, 1)];
      X.push(x);
      const logit = -3 + 1.5 * x[0]! + (x[1]! > 1 ? 2 : 0) + 1.5 * x[2]!;
      y.push(rng.bernoulli(1 / (1 + Math.exp(-logit))) ? 1 : 0);
    }
    const model = fitGbm(X.slice(0, 4000), y.slice(0, 4000), { objective: 'logistic', nTrees: 80 });
    const scores = X.slice(4000).map((x) => model.predict(x));
    expect(scores.every((s) => s > 0 && s < 1)).toBe(true);
    expect(rocAuc(scores, y.slice(4000))).toBeGreaterThan(0.8);
  });

  it('predicts the same after a JSON round trip', () => {
    const { X, y } = knownFunction(500, 3);
    const model = fitGbm(X, y, { nTrees: 10 });
    const copy = Gbm.fromJSON(JSON.parse(JSON.stringify(model.toJSON())));
    for (const x of X.slice(0, 50)) expect(copy.predict(x)).toBe(model.predict(x));
    expect(copy.size).toBe(10);
  });

  it('rejects malformed trees, naming the node', () => {
    const { X, y } = knownFunction(300, 4);
    const json = structuredClone(fitGbm(X, y, { nTrees: 2 }).toJSON());
    json.trees[1]![0] = [0, 0.5, 0, 0]; // a root that points to itself
    expect(validateGbmJson(json).join('\n')).toMatch(/trees\[1\]\[0\] has child 0/);
    expect(() => Gbm.fromJSON({ ...json, nFeatures: 0 })).toThrow(/nFeatures/);
  });

  it('refuses rows of uneven width and non-binary logistic labels', () => {
    expect(() => fitGbm([[1, 2], [3]], [1, 2])).toThrow(/row 1 has 1 columns/);
    expect(() => fitGbm([[1], [2]], [0, 2], { objective: 'logistic' })).toThrow(/y\[1\] = 2/);
  });
});
