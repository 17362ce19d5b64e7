/**
 * Training references for drift: per model version, the histogram of every feature as the model saw it in
 * training (the `reference` of a packages/ml artifact). Keyed `model@version`; a bare `model` key serves every
 * version that has no key of its own.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_ARTIFACTS_DIR, loadArtifact, type FeatureReference, type ModelArtifact } from '@switchyard/ml';

/** Feature name to training histogram, per `model@version` (or per `model`, for any version). */
export type ModelReferences = Record<string, Record<string, FeatureReference>>;

/** The references of a set of artifacts, keyed `name@version`. */
export function referencesFromArtifacts(artifacts: readonly Pick<ModelArtifact, 'name' | 'version' | 'reference'>[]): ModelReferences {
  const out: ModelReferences = {};
  for (const a of artifacts) out[`${a.name}@${a.version}`] = a.reference;
  return out;
}

/**
 * Loads the references of every artifact file (`<name>-<version>.json`) in `dir` (default packages/ml's
 * `DEFAULT_ARTIFACTS_DIR`, pipeline/src/models/artifacts), so versions still in production keep their reference
 * after a retrain. Throws ArtifactError for a malformed file.
 */
export function loadReferences(dir: string = DEFAULT_ARTIFACTS_DIR): ModelReferences {
  const files = readdirSync(dir).filter((f) => f.endsWith('.json') && f !== 'manifest.json');
  return referencesFromArtifacts(files.map((f) => loadArtifact(join(dir, f))));
}

/** The reference of one model version: its own entry, else the model's. */
export function referenceFor(refs: ModelReferences, model: string, version: string): Record<string, FeatureReference> | undefined {
  return refs[`${model}@${version}`] ?? refs[model];
}
