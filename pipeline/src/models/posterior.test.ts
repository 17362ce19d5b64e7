import { describe, expect, it } from 'vitest';
import { fraudPosterior, generateFraudHistory } from './synthetic';

describe('fraudPosterior', () => {
  // The simulation draws fraud labels from this probability: it must agree with the world the generator draws.
  it('is calibrated against the fraud world it describes', () => {
    const rows = generateFraudHistory(200_000, 7);
    const p = rows.map((r) => fraudPosterior(r));
    const frauds = rows.filter((r) => r.isFraud).length;
    const mean = p.reduce((a, b) => a + b, 0);
    expect(Math.abs(mean - frauds) / frauds).toBeLessThan(0.1);
    // Within bands of the posterior, the share of fraud matches the mean posterior of the band.
    for (const [lo, hi] of [[0, 0.01], [0.01, 0.1], [0.1, 0.5], [0.5, 1.01]] as const) {
      const band = rows.map((r, i) => ({ f: r.isFraud, p: p[i]! })).filter((x) => x.p >= lo && x.p < hi);
      expect(band.length).toBeGreaterThan(100);
      const observed = band.filter((x) => x.f).length / band.length;
      const predicted = band.reduce((a, x) => a + x.p, 0) / band.length;
      expect(Math.abs(observed - predicted)).toBeLessThan(Math.max(0.2 * predicted, 0.004));
    }
  });

  it('rises with the evidence of fraud', () => {
    const honest = { amount: 25, items: 2, addressMismatch: false, hour: 12 };
    const p0 = fraudPosterior(honest);
    expect(p0).toBeLessThan(0.02);
    expect(fraudPosterior({ ...honest, addressMismatch: true })).toBeGreaterThan(p0);
    expect(fraudPosterior({ ...honest, hour: 3 })).toBeGreaterThan(p0);
    expect(fraudPosterior({ amount: 130, items: 6, addressMismatch: true, hour: 3 })).toBeGreaterThan(0.9);
  });
});
