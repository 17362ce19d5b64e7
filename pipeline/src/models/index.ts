/**
 * The pipeline's models: where their artifacts are, loading both at start, and the synthetic history they were
 * trained on (for tests and drift demonstrations).
 */
import { fileURLToPath } from 'node:url';
import { EtaModel, FraudModel } from '@switchyard/ml';
import type { ModelOptions } from '@switchyard/ml';

/** The folder holding the committed artifacts and their `manifest.json`. */
export const ARTIFACTS_DIR = fileURLToPath(new URL('./artifacts/', import.meta.url));

/** Both models, loaded once. */
export interface PipelineModels {
  eta: EtaModel;
  fraud: FraudModel;
}

/**
 * Loads the current ETA and fraud artifacts named by the manifest in `dir` (default `ARTIFACTS_DIR`). Throws
 * `ArtifactError`, naming the file and the problem, when either is missing or invalid: a service should refuse to
 * start rather than run without its model.
 */
export function loadModels(dir: string = ARTIFACTS_DIR, options?: ModelOptions): PipelineModels {
  return { eta: EtaModel.load(dir, options), fraud: FraudModel.load(dir, options) };
}

export { generateEtaHistory, generateFraudHistory, naiveEta, rushLevel, HOUR_WEIGHTS, NAIVE_SPEED_KMH } from './synthetic';
export type { EtaRow, EtaShift, FraudRow, FraudShift } from './synthetic';
