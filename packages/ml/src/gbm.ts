/**
 * Gradient-boosted regression trees: the model, its JSON form and its validation. Training lives in `gbm-fit.ts`.
 *
 * A model is a base score plus the sum of the leaf values its trees reach. `squared` models return that sum;
 * `logistic` models return the sigmoid of it (a probability). A split sends `x[feature] <= threshold` left and
 * everything else (larger values and NaN) right.
 */

/** The loss a model was trained on: squared error (regression) or log loss (binary classification). */
export type Objective = 'squared' | 'logistic';

/**
 * One tree node in JSON: `[feature, threshold, left, right]` for a split (children are indices into the same
 * tree), `[value]` for a leaf. Compact on purpose: an artifact holds a few thousand of them.
 */
export type GbmNodeJson = [number, number, number, number] | [number];

/** A model in its serialised form. */
export interface GbmJson {
  kind: 'gbm';
  objective: Objective;
  /** Length of the input vector. */
  nFeatures: number;
  /** The starting prediction: the mean (squared) or the log-odds of the base rate (logistic). */
  baseScore: number;
  learningRate: number;
  /** Total split gain per input column over all trees: a rough importance. */
  featureGain: number[];
  /** Each tree is its node list, the root first. */
  trees: GbmNodeJson[][];
}

/** A loaded model, flattened into typed arrays so that one prediction walks memory without allocating. */
export class Gbm {
  readonly objective: Objective;
  readonly nFeatures: number;
  readonly baseScore: number;
  private readonly feature: Int32Array;
  /** Split threshold for a split node, leaf value for a leaf. */
  private readonly value: Float64Array;
  private readonly left: Int32Array;
  private readonly right: Int32Array;
  private readonly roots: Int32Array;

  private constructor(private readonly json: GbmJson) {
    this.objective = json.objective;
    this.nFeatures = json.nFeatures;
    this.baseScore = json.baseScore;
    const total = json.trees.reduce((n, t) => n + t.length, 0);
    this.feature = new Int32Array(total);
    this.value = new Float64Array(total);
    this.left = new Int32Array(total);
    this.right = new Int32Array(total);
    this.roots = new Int32Array(json.trees.length);
    let offset = 0;
    json.trees.forEach((tree, t) => {
      this.roots[t] = offset;
      tree.forEach((node, i) => {
        const k = offset + i;
        if (node.length === 1) {
          this.feature[k] = -1;
          this.value[k] = node[0];
        } else {
          this.feature[k] = node[0];
          this.value[k] = node[1];
          this.left[k] = offset + node[2];
          this.right[k] = offset + node[3];
        }
      });
      offset += tree.length;
    });
  }

  /** Builds a model from its JSON form; throws a `RangeError` listing the problems when the JSON is malformed. */
  static fromJSON(value: unknown): Gbm {
    const problems = validateGbmJson(value);
    if (problems.length > 0) throw new RangeError(`invalid gbm model: ${problems.join('; ')}`);
    return new Gbm(value as GbmJson);
  }

  /** Number of trees. */
  get size(): number {
    return this.roots.length;
  }

  /** The raw score: base score plus leaf values (log-odds for a logistic model). */
  predictRaw(x: ArrayLike<number>): number {
    const { feature, value, left, right, roots } = this;
    let score = this.baseScore;
    for (let t = 0; t < roots.length; t++) {
      let n = roots[t] as number;
      let f = feature[n] as number;
      while (f >= 0) {
        n = (x[f] as number) <= (value[n] as number) ? (left[n] as number) : (right[n] as number);
        f = feature[n] as number;
      }
      score += value[n] as number;
    }
    return score;
  }

  /** The prediction: the raw score for `squared`, a probability in (0, 1) for `logistic`. */
  predict(x: ArrayLike<number>): number {
    const raw = this.predictRaw(x);
    return this.objective === 'logistic' ? sigmoid(raw) : raw;
  }

  /** The serialised form (the same object this model was built from). */
  toJSON(): GbmJson {
    return this.json;
  }
}

/** The logistic function. */
export function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isIndex = (v: unknown, limit: number): boolean => Number.isInteger(v) && (v as number) >= 0 && (v as number) < limit;

/**
 * Checks the shape of a serialised model: every field, every node, child indices in range and pointing forward
 * (so no tree can loop). Returns the problems found, each naming where; empty when the model is sound.
 */
export function validateGbmJson(value: unknown): string[] {
  if (typeof value !== 'object' || value === null) return ['model is not an object'];
  const m = value as Record<string, unknown>;
  const problems: string[] = [];
  if (m.kind !== 'gbm') problems.push(`model.kind must be "gbm", got ${JSON.stringify(m.kind)}`);
  if (m.objective !== 'squared' && m.objective !== 'logistic') problems.push(`model.objective must be "squared" or "logistic", got ${JSON.stringify(m.objective)}`);
  if (!isIndex(m.nFeatures, Number.MAX_SAFE_INTEGER) || m.nFeatures === 0) problems.push('model.nFeatures must be a positive integer');
  if (!isNum(m.baseScore)) problems.push('model.baseScore must be a finite number');
  if (!isNum(m.learningRate)) problems.push('model.learningRate must be a finite number');
  if (!Array.isArray(m.featureGain) || !m.featureGain.every(isNum)) problems.push('model.featureGain must be an array of numbers');
  if (!Array.isArray(m.trees) || m.trees.length === 0) return [...problems, 'model.trees must be a non-empty array'];
  const nFeatures = typeof m.nFeatures === 'number' ? m.nFeatures : 0;
  m.trees.forEach((tree: unknown, t) => {
    if (!Array.isArray(tree) || tree.length === 0) {
      problems.push(`model.trees[${t}] must be a non-empty array of nodes`);
      return;
    }
    tree.forEach((node: unknown, i) => {
      const at = `model.trees[${t}][${i}]`;
      if (!Array.isArray(node) || !node.every(isNum)) problems.push(`${at} must be an array of finite numbers`);
      else if (node.length === 1) return;
      else if (node.length !== 4) problems.push(`${at} must have 1 (leaf) or 4 (split) entries, has ${node.length}`);
      else {
        if (!isIndex(node[0], nFeatures)) problems.push(`${at} splits on feature ${node[0]}, outside 0..${nFeatures - 1}`);
        // Children after their parent: a tree written depth-first cannot then point back into a cycle.
        for (const c of [node[2], node[3]]) if (!isIndex(c, tree.length) || (c as number) <= i) problems.push(`${at} has child ${c}, not a later node of the tree`);
      }
    });
  });
  return problems.slice(0, 20);
}
