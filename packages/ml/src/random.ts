/**
 * Seeded randomness for training and synthetic data: the same seed gives the same numbers on every machine, so a
 * retrained artifact only changes when the code or the seed does.
 */

/**
 * mulberry32: a tiny 32-bit generator (Tommy Ettinger's), good enough for sampling and shuffling, not for secrets.
 * Returns a function yielding floats in [0, 1).
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A seeded generator with the samplers the synthetic histories need. */
export class Rng {
  private readonly uniform01: () => number;
  private spare: number | undefined;

  /** @param seed any integer; the same seed replays the same sequence. */
  constructor(seed: number) {
    this.uniform01 = mulberry32(seed);
  }

  /** A float in [0, 1). */
  next(): number {
    return this.uniform01();
  }

  /** A float in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.uniform01();
  }

  /** An integer in [lo, hi] (both inclusive). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.uniform01() * (hi - lo + 1));
  }

  /** True with probability `p`. */
  bernoulli(p: number): boolean {
    return this.uniform01() < p;
  }

  /** A normal draw (Box-Muller; the second value of each pair is kept for the next call). */
  normal(mean = 0, sd = 1): number {
    if (this.spare !== undefined) {
      const z = this.spare;
      this.spare = undefined;
      return mean + sd * z;
    }
    let u = 0;
    while (u === 0) u = this.uniform01();
    const v = this.uniform01();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return mean + sd * r * Math.cos(2 * Math.PI * v);
  }

  /** A lognormal draw: `exp(normal(mu, sigma))`, so the median is `exp(mu)`. */
  lognormal(mu: number, sigma: number): number {
    return Math.exp(this.normal(mu, sigma));
  }

  /** A Poisson draw (Knuth's method: fine for the small means used here). */
  poisson(lambda: number): number {
    const limit = Math.exp(-lambda);
    let k = 0;
    let p = this.uniform01();
    while (p > limit) {
      k++;
      p *= this.uniform01();
    }
    return k;
  }

  /** Picks one of `items` with probability proportional to `weights` (same length, non-negative, not all zero). */
  categorical<T>(items: readonly T[], weights: readonly number[]): T {
    if (items.length === 0 || items.length !== weights.length) throw new RangeError('categorical: items and weights must be non-empty and of equal length');
    let total = 0;
    for (const w of weights) total += w;
    let r = this.uniform01() * total;
    for (let i = 0; i < items.length; i++) {
      r -= weights[i] ?? 0;
      if (r < 0) return items[i] as T;
    }
    return items[items.length - 1] as T;
  }

  /** Shuffles `values` in place (Fisher-Yates) and returns it. */
  shuffle<T>(values: T[]): T[] {
    for (let i = values.length - 1; i > 0; i--) {
      const j = Math.floor(this.uniform01() * (i + 1));
      const tmp = values[i] as T;
      values[i] = values[j] as T;
      values[j] = tmp;
    }
    return values;
  }
}
