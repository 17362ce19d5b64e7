import { describe, expect, it } from 'vitest';
import { PSI_DRIFT, PSI_WARN, binIndex, categoricalPsi, categoricalReference, countBins, driftLevel, numericReference, psi, psiFromCounts, validateReference } from './psi';
import { Rng } from './random';

const normals = (n: number, seed: number, mean = 0, sd = 1): number[] => {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => rng.normal(mean, sd));
};

describe('PSI', () => {
  const ref = numericReference(normals(20_000, 1));

  it('builds ten decile bins from continuous training data', () => {
    expect(ref.edges).toHaveLength(9);
    expect(ref.proportions).toHaveLength(10);
    for (const p of ref.proportions) expect(p).toBeCloseTo(0.1, 2);
  });

  it('stays under the warn threshold for a fresh sample from the same distribution', () => {
    expect(psi(ref, normals(5_000, 2))).toBeLessThan(PSI_WARN);
  });

  it('passes the drift threshold when the mean moves by one standard deviation', () => {
    const value = psi(ref, normals(5_000, 3, 1));
    expect(value).toBeGreaterThan(PSI_DRIFT);
    expect(driftLevel(value)).toBe('drift');
  });

  it('stays finite when a sample leaves bins empty, thanks to the epsilon', () => {
    const value = psi(ref, new Array<number>(100).fill(10)); // every value in the top bin
    expect(Number.isFinite(value)).toBe(true);
    expect(value).toBeGreaterThan(PSI_DRIFT);
  });

  it('collapses the edges of a feature with few distinct values', () => {
    const hours = numericReference([1, 1, 1, 2, 2, 3, 3, 3, 3, 4]);
    expect(hours.edges).toEqual([1, 2, 3]);
    expect(hours.proportions).toEqual([0.3, 0.2, 0.4, 0.1]);
    expect(binIndex(hours, 2.5)).toBe(2);
    expect(binIndex(hours, Number.NaN)).toBe(-1);
  });

  it('gives the same value from pre-aggregated counts', () => {
    const sample = normals(1_000, 4, 0.3);
    expect(psiFromCounts(ref, countBins(ref, sample))).toBeCloseTo(psi(ref, sample), 12);
    expect(Number.isNaN(psi(ref, []))).toBe(true);
    expect(driftLevel(Number.NaN)).toBe('unknown');
  });

  it('compares categorical shares, counting unseen categories against the reference', () => {
    const weather = categoricalReference(['clear', 'clear', 'clear', 'rain', 'rain', 'snow'], ['clear', 'rain', 'snow', 'storm']);
    expect(weather.proportions).toEqual([0.5, 0.333333, 0.166667, 0]);
    expect(categoricalPsi(weather, ['clear', 'clear', 'clear', 'rain', 'rain', 'snow'])).toBeLessThan(0.001);
    expect(categoricalPsi(weather, ['storm', 'storm', 'storm', 'clear'])).toBeGreaterThan(PSI_DRIFT);
    expect(categoricalPsi(weather, ['hail', 'hail', 'clear'])).toBeGreaterThan(PSI_DRIFT);
    expect(driftLevel(0.15)).toBe('warn');
    expect(driftLevel(0.01)).toBe('ok');
  });

  it('validates references read from a file', () => {
    expect(validateReference(ref, 'r')).toEqual([]);
    expect(validateReference({ ...ref, proportions: ref.proportions.slice(1) }, 'r').join()).toMatch(/r has 9 edges, so needs 10 proportions|sum to 1/);
    expect(validateReference({ ...ref, edges: [...ref.edges].reverse() }, 'ref.x')).toEqual(['ref.x.edges must be strictly increasing finite numbers']);
  });
});
