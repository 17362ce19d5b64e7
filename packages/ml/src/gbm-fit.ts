/**
 * Training for `Gbm`: second-order gradient boosting (the XGBoost / LightGBM recipe, kept small).
 *
 * Each numeric column is cut at its quantiles into at most `maxBins` bins once, up front; every tree is then grown
 * depth-first, and each node picks the (column, bin) split with the largest gain
 * `GL²/(HL+λ) + GR²/(HR+λ) − G²/(H+λ)`, where G and H are the sums of the loss gradients and hessians.
 * Leaves take the Newton step `−G/(H+λ)`, scaled by the learning rate. Categorical inputs are expected one-hot
 * encoded (see `encode.ts`): a 0/1 column has one cut, so it splits like any other column.
 */
import { Rng } from './random';
import { Gbm } from './gbm';
import type { GbmJson, GbmNodeJson, Objective } from './gbm';

/** Training parameters; every field is optional. */
export interface GbmParams {
  /** Loss: `squared` for regression, `logistic` for 0/1 labels. Default `squared`. */
  objective?: Objective;
  /** Number of trees. Default 100. */
  nTrees?: number;
  /** Maximum depth of a tree (a depth-4 tree has at most 16 leaves). Default 4. */
  maxDepth?: number;
  /** Shrinkage applied to every leaf. Default 0.1. */
  learningRate?: number;
  /** Fewest training rows a leaf may hold. Default 20. */
  minSamplesLeaf?: number;
  /** Smallest hessian sum a leaf may hold (guards logistic leaves made of near-certain rows). Default 1e-3. */
  minHessianLeaf?: number;
  /** L2 penalty on leaf values. Default 1. */
  lambda?: number;
  /** Most bins per column (at most 255). Default 64. */
  maxBins?: number;
  /** Share of rows each tree is grown on, drawn afresh per tree. Default 1 (all rows). */
  subsample?: number;
  /** Seed for row subsampling. Default 1. */
  seed?: number;
}

interface Binned {
  /** Column-major bin index per value: `bins[f * n + i]`. */
  bins: Uint8Array;
  /** Per column, the upper edge of each bin but the last. */
  cuts: number[][];
  /** Per column, a short threshold equivalent to each cut on the training data. */
  thresholds: number[][];
}

/** Fits a model to rows `X` (all of one length, finite numbers) and targets `y` (0/1 for `logistic`). */
export function fitGbm(X: readonly ArrayLike<number>[], y: ArrayLike<number>, params: GbmParams = {}): Gbm {
  const p = {
    objective: params.objective ?? 'squared',
    nTrees: params.nTrees ?? 100,
    maxDepth: params.maxDepth ?? 4,
    learningRate: params.learningRate ?? 0.1,
    minSamplesLeaf: params.minSamplesLeaf ?? 20,
    minHessianLeaf: params.minHessianLeaf ?? 1e-3,
    lambda: params.lambda ?? 1,
    maxBins: Math.min(255, params.maxBins ?? 64),
    subsample: params.subsample ?? 1,
  };
  const n = X.length;
  const nFeatures = X[0]?.length ?? 0;
  if (n === 0 || nFeatures === 0) throw new RangeError('fitGbm: X must have at least one row and one column');
  if (y.length !== n) throw new RangeError(`fitGbm: X has ${n} rows but y has ${y.length}`);
  for (let i = 0; i < n; i++) {
    const row = X[i] as ArrayLike<number>;
    if (row.length !== nFeatures) throw new RangeError(`fitGbm: row ${i} has ${row.length} columns, expected ${nFeatures}`);
    for (let f = 0; f < nFeatures; f++) if (!Number.isFinite(row[f])) throw new RangeError(`fitGbm: X[${i}][${f}] is not a finite number`);
    const t = y[i] as number;
    if (p.objective === 'logistic' ? t !== 0 && t !== 1 : !Number.isFinite(t)) throw new RangeError(`fitGbm: y[${i}] = ${t} is not a valid ${p.objective} target`);
  }

  const { bins, cuts, thresholds } = binColumns(X, nFeatures, p.maxBins);
  let mean = 0;
  for (let i = 0; i < n; i++) mean += y[i] as number;
  mean /= n;
  const baseScore = p.objective === 'logistic' ? Math.log(Math.max(mean, 1e-6) / Math.max(1 - mean, 1e-6)) : mean;

  const score = new Float64Array(n).fill(baseScore);
  const grad = new Float64Array(n);
  const hess = new Float64Array(n);
  const featureGain = new Array<number>(nFeatures).fill(0);
  const trees: GbmNodeJson[][] = [];
  const rng = new Rng(params.seed ?? 1);
  const all = Uint32Array.from({ length: n }, (_, i) => i);

  for (let t = 0; t < p.nTrees; t++) {
    for (let i = 0; i < n; i++) {
      const target = y[i] as number;
      if (p.objective === 'logistic') {
        const prob = 1 / (1 + Math.exp(-(score[i] as number)));
        grad[i] = prob - target;
        hess[i] = Math.max(prob * (1 - prob), 1e-12);
      } else {
        grad[i] = (score[i] as number) - target;
        hess[i] = 1;
      }
    }
    // A fresh copy each tree: `grow` partitions it in place.
    const rows = p.subsample < 1 ? all.filter(() => rng.next() < p.subsample) : all.slice();
    const nodes: TrainNode[] = [];
    grow(rows, 0);
    for (let i = 0; i < n; i++) score[i] = (score[i] as number) + leafValue(nodes, bins, n, i);
    trees.push(nodes.map((nd) => (nd.feature < 0 ? [nd.value] : [nd.feature, (thresholds[nd.feature] as number[])[nd.bin] as number, nd.left, nd.right])));

    // Grows one node over `idx` and its subtree; returns the node's index in `nodes`.
    function grow(idx: Uint32Array, depth: number): number {
      const me = nodes.length;
      let G = 0;
      let H = 0;
      for (let k = 0; k < idx.length; k++) {
        const i = idx[k] as number;
        G += grad[i] as number;
        H += hess[i] as number;
      }
      const leaf = (): number => {
        nodes[me] = { feature: -1, bin: 0, left: 0, right: 0, value: round6((-G / (H + p.lambda)) * p.learningRate) };
        return me;
      };
      nodes.push({ feature: -1, bin: 0, left: 0, right: 0, value: 0 });
      if (depth >= p.maxDepth || idx.length < 2 * p.minSamplesLeaf) return leaf();
      const split = bestSplit(idx, G, H);
      if (!split) return leaf();
      featureGain[split.feature] = (featureGain[split.feature] as number) + split.gain;
      const base = split.feature * n;
      // Partition in place: rows going left to the front, the rest behind; each child gets a view.
      let lo = 0;
      let hi = idx.length - 1;
      while (lo <= hi) {
        if ((bins[base + (idx[lo] as number)] as number) <= split.bin) lo++;
        else {
          const tmp = idx[lo] as number;
          idx[lo] = idx[hi] as number;
          idx[hi--] = tmp;
        }
      }
      const left = grow(idx.subarray(0, lo), depth + 1);
      const right = grow(idx.subarray(lo), depth + 1);
      nodes[me] = { feature: split.feature, bin: split.bin, left, right, value: 0 };
      return me;
    }

    function bestSplit(idx: Uint32Array, G: number, H: number): { feature: number; bin: number; gain: number } | undefined {
      const parent = (G * G) / (H + p.lambda);
      let best: { feature: number; bin: number; gain: number } | undefined;
      const hg = new Float64Array(p.maxBins);
      const hh = new Float64Array(p.maxBins);
      const hc = new Int32Array(p.maxBins);
      for (let f = 0; f < nFeatures; f++) {
        const nCuts = (cuts[f] as number[]).length;
        if (nCuts === 0) continue;
        hg.fill(0);
        hh.fill(0);
        hc.fill(0);
        const base = f * n;
        for (let k = 0; k < idx.length; k++) {
          const i = idx[k] as number;
          const b = bins[base + i] as number;
          hg[b] = (hg[b] as number) + (grad[i] as number);
          hh[b] = (hh[b] as number) + (hess[i] as number);
          hc[b] = (hc[b] as number) + 1;
        }
        let GL = 0;
        let HL = 0;
        let CL = 0;
        for (let b = 0; b < nCuts; b++) {
          GL += hg[b] as number;
          HL += hh[b] as number;
          CL += hc[b] as number;
          const CR = idx.length - CL;
          const HR = H - HL;
          if (CL < p.minSamplesLeaf || CR < p.minSamplesLeaf || HL < p.minHessianLeaf || HR < p.minHessianLeaf) continue;
          const GR = G - GL;
          const gain = (GL * GL) / (HL + p.lambda) + (GR * GR) / (HR + p.lambda) - parent;
          if (gain > 1e-9 && (!best || gain > best.gain)) best = { feature: f, bin: b, gain };
        }
      }
      return best;
    }
  }

  const json: GbmJson = { kind: 'gbm', objective: p.objective, nFeatures, baseScore, learningRate: p.learningRate, featureGain: featureGain.map(round6), trees };
  return Gbm.fromJSON(json);
}

interface TrainNode {
  feature: number;
  bin: number;
  left: number;
  right: number;
  /** Leaf value, already rounded as it will be saved, so training scores match what the saved model predicts. */
  value: number;
}

function leafValue(nodes: TrainNode[], bins: Uint8Array, n: number, i: number): number {
  let k = 0;
  let node = nodes[0] as TrainNode;
  while (node.feature >= 0) {
    k = (bins[node.feature * n + i] as number) <= node.bin ? node.left : node.right;
    node = nodes[k] as TrainNode;
  }
  return node.value;
}

/** Cuts every column at its quantiles and records each value's bin. */
function binColumns(X: readonly ArrayLike<number>[], nFeatures: number, maxBins: number): Binned {
  const n = X.length;
  const bins = new Uint8Array(n * nFeatures);
  const cuts: number[][] = [];
  const thresholds: number[][] = [];
  const col = new Float64Array(n);
  for (let f = 0; f < nFeatures; f++) {
    for (let i = 0; i < n; i++) col[i] = (X[i] as ArrayLike<number>)[f] as number;
    const sorted = Float64Array.from(col).sort();
    const c: number[] = [];
    const th: number[] = [];
    for (let q = 1; q < maxBins; q++) {
      const v = sorted[Math.min(n - 1, Math.floor((q * n) / maxBins))] as number;
      if (c.length > 0 && v <= (c[c.length - 1] as number)) continue;
      const next = firstAbove(sorted, v);
      if (next === undefined) break; // v is the maximum: a cut there would leave the right side empty
      c.push(v);
      th.push(shortBetween(v, next));
    }
    for (let i = 0; i < n; i++) bins[f * n + i] = binOf(c, col[i] as number);
    cuts.push(c);
    thresholds.push(th);
  }
  return { bins, cuts, thresholds };
}

/** Index of the first cut that `v` does not exceed (the number of cuts when it exceeds them all). */
function binOf(cuts: number[], v: number): number {
  let lo = 0;
  let hi = cuts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (v <= (cuts[mid] as number)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function firstAbove(sorted: Float64Array, v: number): number | undefined {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] as number) <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo < sorted.length ? sorted[lo] : undefined;
}

/** The shortest decimal `t` with `lo <= t < hi`: keeps artifacts small without moving any training row across a split. */
function shortBetween(lo: number, hi: number): number {
  for (let digits = 1; digits <= 17; digits++) {
    for (const t of [Number(lo.toPrecision(digits)), Number(((lo + hi) / 2).toPrecision(digits))]) if (t >= lo && t < hi) return t;
  }
  return lo;
}

function round6(v: number): number {
  return Number(v.toPrecision(6));
}
