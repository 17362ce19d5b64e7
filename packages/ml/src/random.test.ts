import { describe, expect, it } from 'vitest';
import { Rng, mulberry32 } from './random';

describe('seeded randomness', () => {
  it('replays the same sequence for the same seed and another for another seed', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const c = mulberry32(43);
    const seqA = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(seqA);
    expect([c(), c(), c()]).not.toEqual(seqA);
    expect(seqA.every((v) => v >= 0 && v < 1)).toBe(true);
  });

  it('draws normals, lognormals and categories with the asked-for shape', () => {
    const rng = new Rng(1);
    const xs = Array.from({ length: 20_000 }, () => rng.normal(5, 2));
    const mean = xs.reduce((s, v) => s + v, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((s, v) => s + (v - mean) ** 2, 0) / xs.length);
    expect(mean).toBeCloseTo(5, 1);
    expect(sd).toBeCloseTo(2, 1);
    const logs = Array.from({ length: 20_000 }, () => rng.lognormal(Math.log(10), 0.5)).sort((p, q) => p - q);
    expect(logs[10_000]!).toBeGreaterThan(9.5);
    expect(logs[10_000]!).toBeLessThan(10.5);
    const picks = Array.from({ length: 20_000 }, () => rng.categorical(['a', 'b'], [3, 1]));
    expect(picks.filter((p) => p === 'a').length / picks.length).toBeCloseTo(0.75, 1);
    expect(() => rng.categorical([], [])).toThrow(RangeError);
  });
});
