/**
 * Training of the two pipeline models on synthetic history, producing artifacts ready to save. `train.ts` is the
 * command-line wrapper (`npm run train`); tests may call these directly with fewer rows.
 */
import {
  ETA_FEATURES,
  EtaModel,
  FRAUD_FEATURES,
  FraudModel,
  bestF1Threshold,
  categoricalReference,
  classificationReport,
  fitGbm,
  mae,
  numericReference,
  percentile,
  regressionReport,
  rocAuc,
} from '@switchyard/ml';
import type { FeatureReference, FeatureSpec, GbmParams, ModelArtifact } from '@switchyard/ml';
import { FeatureEncoder } from '@switchyard/ml/encode';
import { generateEtaHistory, generateFraudHistory, naiveEta } from './synthetic';

/** Options shared by both trainings. */
export interface TrainOptions {
  /** Rows of synthetic history to draw (split into training and holdout). */
  rows: number;
  /** Seed for the history and for the trees' row sampling. */
  seed: number;
  /** Version written into the artifact. */
  version: string;
  /** Training time written into the artifact (epoch ms). */
  trainedAt: number;
  /** Overrides of the tree parameters. */
  params?: GbmParams;
}

/** ETA tree parameters: 120 depth-5 trees fit the max(food, driver) interaction without growing past ~250 KB. */
export const ETA_PARAMS: GbmParams = { objective: 'squared', nTrees: 120, maxDepth: 5, learningRate: 0.1, minSamplesLeaf: 30, lambda: 1, maxBins: 64, subsample: 0.8 };
/** Fraud tree parameters: shallower and more regularised, since positives are rare (about 2%). */
export const FRAUD_PARAMS: GbmParams = { objective: 'logistic', nTrees: 100, maxDepth: 3, learningRate: 0.1, minSamplesLeaf: 50, lambda: 5, maxBins: 64, subsample: 0.8 };

/** Trains the ETA model: 80% of the rows to fit, 20% held out for the reported metrics. */
export function trainEta(options: TrainOptions): ModelArtifact {
  const rows = generateEtaHistory(options.rows, options.seed);
  const cut = Math.floor(rows.length * 0.8);
  const train = rows.slice(0, cut);
  const holdout = rows.slice(cut);
  const features: FeatureSpec[] = ETA_FEATURES.map((f) => ({ ...f }));
  const params = { ...ETA_PARAMS, seed: options.seed, ...options.params };
  const model = fitGbm(encodeAll(features, train), train.map((r) => r.deliveryMinutes), params);

  const artifact: ModelArtifact = {
    name: 'eta',
    version: options.version,
    trainedAt: new Date(options.trainedAt).toISOString(),
    features,
    target: { name: 'deliveryMinutes', kind: 'regression' },
    model: model.toJSON(),
    reference: references(features, train as unknown as Record<string, unknown>[]),
    metrics: { holdout: {} },
    trainingRows: train.length,
    training: { generator: 'generateEtaHistory', seed: options.seed, rows: options.rows, split: '80/20', params },
  };
  const eta = EtaModel.fromArtifact(artifact);
  const predicted = holdout.map((r) => eta.predict(r).etaMinutes);
  const actual = holdout.map((r) => r.deliveryMinutes);
  const report = regressionReport(predicted, actual);
  artifact.metrics.holdout = {
    n: report.n,
    mae: round4(report.mae),
    p90AbsError: round4(report.p90AbsError),
    bias: round4(report.bias),
    rmse: round4(report.rmse),
    naiveMae: round4(mae(holdout.map(naiveEta), actual)),
    medianMae: round4(mae(new Array<number>(actual.length).fill(percentile(actual, 50)), actual)),
  };
  artifact.outputReference = numericReference(predicted);
  return artifact;
}

/**
 * Trains the fraud model: 70% to fit, 15% to choose the decision threshold (best F1), 15% held out for the
 * reported metrics. The hour's training median is recorded as its value when a caller does not know the hour.
 */
export function trainFraud(options: TrainOptions): ModelArtifact {
  const rows = generateFraudHistory(options.rows, options.seed);
  const a = Math.floor(rows.length * 0.7);
  const b = Math.floor(rows.length * 0.85);
  const train = rows.slice(0, a);
  const validation = rows.slice(a, b);
  const holdout = rows.slice(b);
  const features: FeatureSpec[] = FRAUD_FEATURES.map((f) => (f.name === 'hour' ? { ...f, impute: percentile(train.map((r) => r.hour), 50) } : { ...f }));
  const params = { ...FRAUD_PARAMS, seed: options.seed, ...options.params };
  const model = fitGbm(encodeAll(features, train), train.map((r) => (r.isFraud ? 1 : 0)), params);

  const artifact: ModelArtifact = {
    name: 'fraud',
    version: options.version,
    trainedAt: new Date(options.trainedAt).toISOString(),
    features,
    target: { name: 'isFraud', kind: 'binary' },
    model: model.toJSON(),
    reference: references(features, train as unknown as Record<string, unknown>[]),
    metrics: { holdout: {} },
    trainingRows: train.length,
    training: { generator: 'generateFraudHistory', seed: options.seed, rows: options.rows, split: '70/15/15 (train/threshold/holdout)', params },
  };
  const fraud = FraudModel.fromArtifact(artifact);
  const scoreAll = (set: typeof rows): number[] => set.map((r) => fraud.predict(r).score);
  artifact.decisionThreshold = round4(bestF1Threshold(scoreAll(validation), validation.map((r) => r.isFraud)));
  const scores = scoreAll(holdout);
  const labels = holdout.map((r) => r.isFraud);
  const report = classificationReport(scores, labels, artifact.decisionThreshold);
  artifact.metrics.holdout = {
    n: holdout.length,
    positives: report.tp + report.fn,
    auc: round4(rocAuc(scores, labels)),
    precision: round4(report.precision),
    recall: round4(report.recall),
    f1: round4(report.f1),
    threshold: artifact.decisionThreshold,
  };
  artifact.outputReference = numericReference(scores);
  return artifact;
}

function encodeAll(features: FeatureSpec[], rows: readonly object[]): Float64Array[] {
  const encoder = new FeatureEncoder('training', features);
  return rows.map((r) => Float64Array.from(encoder.encode(r as Record<string, unknown>)));
}

/** The training histogram of every feature: deciles for numbers, shares for categories. */
function references(features: FeatureSpec[], rows: Record<string, unknown>[]): Record<string, FeatureReference> {
  const out: Record<string, FeatureReference> = {};
  for (const f of features) {
    const values = rows.map((r) => r[f.name]);
    out[f.name] = f.kind === 'numeric' ? numericReference(values as number[]) : categoricalReference(values.map(String), f.categories);
  }
  return out;
}

function round4(v: number): number {
  return Number(v.toFixed(4));
}
