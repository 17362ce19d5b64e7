/**
 * What the ETA and fraud models share: an artifact turned into a scorer, and the timer around each inference.
 */
import { loadArtifact, resolveArtifactPath } from './artifact';
import type { ModelArtifact, ModelName } from './artifact';
import { FeatureEncoder } from './encode';
import { ArtifactError } from './errors';
import { Gbm } from './gbm';

/** Options for loading a model. */
export interface ModelOptions {
  /**
   * Monotonic time in milliseconds, read before and after each inference to give `latencyMs`.
   * Default `performance.now()`. Tests pass their own to control the figure.
   */
  now?: () => number;
}

/** A validated artifact with its trees loaded and its encoder ready. */
export class ScoringModel {
  readonly version: string;
  protected readonly gbm: Gbm;
  protected readonly encoder: FeatureEncoder;
  protected readonly now: () => number;

  protected constructor(
    readonly artifact: ModelArtifact,
    options: ModelOptions = {},
  ) {
    this.version = artifact.version;
    this.gbm = Gbm.fromJSON(artifact.model);
    this.encoder = new FeatureEncoder(artifact.name, artifact.features);
    this.now = options.now ?? (() => performance.now());
  }

  /** Reads the artifact for `name` from a file or a folder with a manifest (see `resolveArtifactPath`). */
  protected static read(name: ModelName, path?: string): ModelArtifact {
    return loadArtifact(resolveArtifactPath(name, path), name);
  }

  /** Refuses an artifact of another model handed over in memory. */
  protected static check(name: ModelName, artifact: ModelArtifact): ModelArtifact {
    if (artifact.name !== name) throw new ArtifactError(`<${artifact.name} ${artifact.version}>`, [`holds the ${artifact.name} model, expected ${name}`]);
    return artifact;
  }

  /** Scores one record, returning the model output and how long encoding and scoring took. */
  protected score(record: Readonly<Record<string, unknown>>): { value: number; latencyMs: number } {
    const start = this.now();
    const value = this.gbm.predict(this.encoder.encode(record));
    const latencyMs = Math.max(0, this.now() - start);
    return { value, latencyMs };
  }
}
