/**
 * Model artifacts: one JSON file per trained model version, holding everything needed to score and to watch it:
 * the feature specs, the trees, the training reference histogram of every feature (for drift), and the holdout
 * metrics it was accepted with. A `manifest.json` beside them names the current version of each model.
 */
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ArtifactError } from './errors';
import { encodedColumns, validateFeatures } from './encode';
import type { FeatureSpec } from './encode';
import { validateGbmJson } from './gbm';
import type { GbmJson } from './gbm';
import { validateReference } from './psi';
import type { FeatureReference, NumericReference } from './psi';

/** The models Switchyard ships. */
export type ModelName = 'eta' | 'fraud';
const MODEL_NAMES: readonly string[] = ['eta', 'fraud'];

/** A trained model as saved on disk. */
export interface ModelArtifact {
  name: ModelName;
  /** `major.minor.patch`; bump major when the features change, minor on a retrain with new data or parameters. */
  version: string;
  /** ISO-8601 time of training. */
  trainedAt: string;
  features: FeatureSpec[];
  /** What the model predicts, e.g. `{ name: 'deliveryMinutes', kind: 'regression' }`. */
  target: { name: string; kind: 'regression' | 'binary' };
  model: GbmJson;
  /** Training histogram per feature name, for PSI. */
  reference: Record<string, FeatureReference>;
  /** Histogram of the model's own output on the holdout set (prediction drift). */
  outputReference?: NumericReference;
  /** Figures on held-out rows, e.g. `{ holdout: { mae: 2.1, ... } }`. */
  metrics: { holdout: Record<string, number> };
  /** For a binary model: the score at and above which a row is flagged. */
  decisionThreshold?: number;
  /** Rows the model was fitted on. */
  trainingRows: number;
  /** How it was trained (seed, parameters, data generator), for reproduction. */
  training?: Record<string, unknown>;
}

/** `manifest.json`: the current version of each model and its file, relative to the manifest's folder. */
export type ArtifactManifest = Partial<Record<ModelName, { version: string; file: string }>>;

/**
 * The repository's artifact folder (`pipeline/src/models/artifacts`), where `npm run train` writes. Used when a
 * model is loaded without a path.
 */
export const DEFAULT_ARTIFACTS_DIR = fileURLToPath(new URL('../../../pipeline/src/models/artifacts/', import.meta.url));

const SEMVER = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/;

/** Checks an artifact's shape and internal consistency; returns the problems found, each naming the field. */
export function validateArtifact(value: unknown): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return ['the file does not hold a JSON object'];
  const a = value as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof a.name !== 'string' || !MODEL_NAMES.includes(a.name)) problems.push(`name must be one of ${MODEL_NAMES.join(', ')}, got ${JSON.stringify(a.name)}`);
  if (typeof a.version !== 'string' || !SEMVER.test(a.version)) problems.push(`version must look like 1.2.3, got ${JSON.stringify(a.version)}`);
  if (typeof a.trainedAt !== 'string' || Number.isNaN(Date.parse(a.trainedAt))) problems.push(`trainedAt must be an ISO-8601 time, got ${JSON.stringify(a.trainedAt)}`);
  const target = a.target as Record<string, unknown> | undefined;
  if (typeof target?.name !== 'string' || (target.kind !== 'regression' && target.kind !== 'binary')) problems.push('target must be { name, kind: "regression" | "binary" }');
  if (!Number.isInteger(a.trainingRows) || (a.trainingRows as number) <= 0) problems.push('trainingRows must be a positive integer');
  const holdout = (a.metrics as Record<string, unknown> | undefined)?.holdout;
  if (typeof holdout !== 'object' || holdout === null || !Object.values(holdout).every((v) => typeof v === 'number')) problems.push('metrics.holdout must be an object of numbers');
  if (a.decisionThreshold !== undefined && !(typeof a.decisionThreshold === 'number' && a.decisionThreshold >= 0 && a.decisionThreshold <= 1)) problems.push('decisionThreshold must be a number in [0, 1]');

  const featureProblems = validateFeatures(a.features);
  problems.push(...featureProblems);
  const modelProblems = validateGbmJson(a.model);
  problems.push(...modelProblems);
  if (featureProblems.length === 0 && modelProblems.length === 0) {
    const width = encodedColumns(a.features as FeatureSpec[]).length;
    const nFeatures = (a.model as GbmJson).nFeatures;
    if (width !== nFeatures) problems.push(`model.nFeatures is ${nFeatures} but the features encode to ${width} columns`);
    const expected = target?.kind === 'binary' ? 'logistic' : 'squared';
    if ((a.model as GbmJson).objective !== expected) problems.push(`model.objective must be ${expected} for a ${String(target?.kind)} target`);
  }
  if (featureProblems.length === 0) {
    const reference = (typeof a.reference === 'object' && a.reference !== null ? a.reference : {}) as Record<string, unknown>;
    for (const f of a.features as FeatureSpec[]) {
      const ref = reference[f.name];
      if (ref === undefined) {
        problems.push(`reference has no histogram for feature ${f.name}`);
        continue;
      }
      const refProblems = validateReference(ref, `reference.${f.name}`);
      problems.push(...refProblems);
      if (refProblems.length === 0 && (ref as FeatureReference).kind !== f.kind) problems.push(`reference.${f.name} is ${(ref as FeatureReference).kind} but the feature is ${f.kind}`);
    }
  }
  if (a.outputReference !== undefined) problems.push(...validateReference(a.outputReference, 'outputReference'));
  return problems;
}

/**
 * Reads and validates an artifact file. Throws `ArtifactError` naming the file and what is wrong: unreadable,
 * not JSON, a field missing or malformed, or (with `expectedName`) a different model.
 */
export function loadArtifact(path: string, expectedName?: ModelName): ModelArtifact {
  const parsed = readJson(path);
  const problems = validateArtifact(parsed);
  if (problems.length === 0 && expectedName !== undefined && (parsed as ModelArtifact).name !== expectedName) {
    problems.push(`holds the ${(parsed as ModelArtifact).name} model, expected ${expectedName}`);
  }
  if (problems.length > 0) throw new ArtifactError(path, problems);
  return parsed as ModelArtifact;
}

/**
 * Resolves where a model's artifact is: `path` may be an artifact file, or a folder holding `manifest.json`
 * (default `DEFAULT_ARTIFACTS_DIR`), in which case the manifest's entry for `name` is used.
 */
export function resolveArtifactPath(name: ModelName, path: string = DEFAULT_ARTIFACTS_DIR): string {
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch (err) {
    throw new ArtifactError(path, ['cannot be read: ' + (err as Error).message], { cause: err });
  }
  if (!isDir) return path;
  const manifestPath = join(path, 'manifest.json');
  const manifest = readJson(manifestPath) as ArtifactManifest;
  const entry = typeof manifest === 'object' && manifest !== null ? manifest[name] : undefined;
  if (typeof entry?.file !== 'string') throw new ArtifactError(manifestPath, [`names no file for the ${name} model`]);
  return join(path, entry.file);
}

/**
 * Writes an artifact (creating its folder) after validating it; returns the bytes written. Number arrays and
 * tree nodes are kept on one line each, so that the file stays small and a diff stays readable.
 */
export function saveArtifact(path: string, artifact: ModelArtifact): number {
  const problems = validateArtifact(artifact);
  if (problems.length > 0) throw new ArtifactError(path, problems);
  return writeJson(path, artifact);
}

/** Writes `manifest.json` into `dir`. */
export function saveManifest(dir: string, manifest: ArtifactManifest): void {
  writeJson(join(dir, 'manifest.json'), manifest);
}

function writeJson(path: string, value: unknown): number {
  const text =
    JSON.stringify(value, null, 2)
      // a run of numbers: [1, 2, 3] on one line
      .replace(/\[\s*(-?[\d.eE+-]+(?:,\s*-?[\d.eE+-]+)*)\s*\]/g, (_m, body: string) => `[${body.replace(/\s+/g, '')}]`)
      // a list of such runs (one tree's nodes): one line too
      .replace(/\[\s*(\[[^[\]]*\](?:,\s*\[[^[\]]*\])*)\s*\]/g, (_m, body: string) => `[${body.replace(/\s+/g, '')}]`) + '\n';
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  return Buffer.byteLength(text);
}

function readJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ArtifactError(path, ['cannot be read: ' + (err as Error).message], { cause: err });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new ArtifactError(path, ['is not valid JSON: ' + (err as Error).message], { cause: err });
  }
}
