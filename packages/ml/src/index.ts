/**
 * @switchyard/ml: small, dependency-free machine learning for the reference pipeline: a seeded PRNG, gradient-
 * boosted trees, PSI drift, error metrics, versioned artifacts, and the ETA and fraud models built on them.
 */
export { mulberry32, Rng } from './random';
export { Gbm, sigmoid, validateGbmJson } from './gbm';
export type { GbmJson, GbmNodeJson, Objective } from './gbm';
export { fitGbm } from './gbm-fit';
export type { GbmParams } from './gbm-fit';
export {
  PSI_BINS,
  PSI_DRIFT,
  PSI_EPSILON,
  PSI_WARN,
  binIndex,
  categoricalPsi,
  categoricalReference,
  countBins,
  driftLevel,
  featurePsi,
  numericReference,
  psi,
  psiFromCounts,
  validateReference,
} from './psi';
export type { CategoricalReference, DriftLevel, FeatureReference, NumericReference } from './psi';
export { bestF1Threshold, bias, classificationReport, mae, p90AbsError, percentile, regressionReport, rmse, rocAuc } from './metrics';
export type { ClassificationReport, RegressionReport } from './metrics';
export { FeatureEncoder, encodedColumns, validateFeatures } from './encode';
export type { FeatureSpec } from './encode';
export { DEFAULT_ARTIFACTS_DIR, loadArtifact, resolveArtifactPath, saveArtifact, saveManifest, validateArtifact } from './artifact';
export type { ArtifactManifest, ModelArtifact, ModelName } from './artifact';
export { ArtifactError, ModelInputError } from './errors';
export { ScoringModel } from './model';
export type { ModelOptions } from './model';
export { ETA_FEATURES, EtaModel, WEATHERS } from './eta';
export type { EtaFeatures, EtaPrediction, Weather } from './eta';
export { FRAUD_FEATURES, FraudModel } from './fraud';
export type { FraudFeatures, FraudPrediction } from './fraud';
