/**
 * The fraud model: the probability that an order is fraudulent, from what the payment step knows.
 */
import type { ModelArtifact } from './artifact';
import type { FeatureSpec } from './encode';
import { ScoringModel } from './model';
import type { ModelOptions } from './model';

/** The fraud model's inputs. */
export interface FraudFeatures {
  /** Order total, in the shop's currency. */
  amount: number;
  /** Number of items in the order. */
  items: number;
  /** Billing and delivery addresses differ. */
  addressMismatch: boolean;
  /** Local hour of the order, 0..23; when absent the training median is used. */
  hour?: number;
}

/** One fraud inference. */
export interface FraudPrediction {
  /** Probability of fraud, 0..1. */
  score: number;
  /** `score >= threshold`, the artifact's decision threshold (chosen for the best F1 on validation data). */
  flagged: boolean;
  latencyMs: number;
  model: 'fraud';
  modelVersion: string;
}

/** The fraud model's feature specs, in column order (training fills in `hour.impute`). */
export const FRAUD_FEATURES: readonly FeatureSpec[] = [
  { name: 'amount', kind: 'numeric', description: 'order total' },
  { name: 'items', kind: 'numeric', description: 'number of items' },
  { name: 'addressMismatch', kind: 'categorical', categories: ['false', 'true'], description: 'billing and delivery addresses differ' },
  { name: 'hour', kind: 'numeric', description: 'local hour of the order, 0..23 (optional)' },
];

/** A loaded fraud artifact. Load once at start; `predict` is synchronous. */
export class FraudModel extends ScoringModel {
  /** The score at and above which an order is flagged (the artifact's, default 0.5). */
  readonly threshold: number;

  private constructor(artifact: ModelArtifact, options?: ModelOptions) {
    super(artifact, options);
    this.threshold = artifact.decisionThreshold ?? 0.5;
  }

  /** Loads the fraud artifact from a file or a folder with a manifest (default: the repository's artifacts). */
  static load(path?: string, options?: ModelOptions): FraudModel {
    return new FraudModel(ScoringModel.read('fraud', path), options);
  }

  /** Wraps an artifact already in memory. */
  static fromArtifact(artifact: ModelArtifact, options?: ModelOptions): FraudModel {
    return new FraudModel(ScoringModel.check('fraud', artifact), options);
  }

  /** Scores an order. Throws `ModelInputError` for a non-finite amount or item count. */
  predict(features: FraudFeatures): FraudPrediction {
    const { value, latencyMs } = this.score(features as unknown as Record<string, unknown>);
    return { score: value, flagged: value >= this.threshold, latencyMs, model: 'fraud', modelVersion: this.version };
  }
}
