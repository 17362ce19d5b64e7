/**
 * collectors/inference: predictions of the ETA and fraud models materialised from `events`, and their summary
 * (latency, throughput, error or precision/recall, feature drift). See README.md.
 */
export { createInferenceCollector, materializeInference, type InferenceCollectorOptions, type MaterializeOptions, type MaterializeResult } from './materialize';
export { inferenceSummary, featureDrift, type EtaError, type FeatureDrift, type FraudQuality, type InferenceSummaryOptions, type ModelSummary } from './summary';
export { loadReferences, referenceFor, referencesFromArtifacts, type ModelReferences } from './references';
