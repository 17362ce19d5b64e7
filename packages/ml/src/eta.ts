/**
 * The ETA model: minutes from order acceptance to delivery, from the order and the state of the fleet.
 */
import type { ModelArtifact } from './artifact';
import type { FeatureSpec } from './encode';
import { ScoringModel } from './model';
import type { ModelOptions } from './model';

/** Weather at the pickup point, worst last. */
export type Weather = 'clear' | 'rain' | 'snow' | 'storm';
/** Every weather the ETA model knows, in its column order. */
export const WEATHERS: readonly Weather[] = ['clear', 'rain', 'snow', 'storm'];

/** The ETA model's inputs. */
export interface EtaFeatures {
  /** Route distance from kitchen to customer, km. */
  distanceKm: number;
  /** The kitchen's preparation estimate, minutes. */
  prepMinutes: number;
  /** Local hour of the order, 0..23. */
  hour: number;
  weather: Weather;
  /** Available drivers per open order in the zone (below 1, orders wait for a driver). */
  driverSupply: number;
}

/** One ETA inference. */
export interface EtaPrediction {
  /** Predicted minutes to delivery (at least 1). */
  etaMinutes: number;
  /** Time spent encoding and scoring, ms. */
  latencyMs: number;
  model: 'eta';
  modelVersion: string;
}

/** The ETA model's feature specs, in column order; the artifact carries a copy. */
export const ETA_FEATURES: readonly FeatureSpec[] = [
  { name: 'distanceKm', kind: 'numeric', description: 'route distance kitchen to customer, km' },
  { name: 'prepMinutes', kind: 'numeric', description: 'kitchen preparation estimate, minutes' },
  { name: 'hour', kind: 'numeric', description: 'local hour of the order, 0..23' },
  { name: 'weather', kind: 'categorical', categories: [...WEATHERS], description: 'weather at pickup' },
  { name: 'driverSupply', kind: 'numeric', description: 'available drivers per open order in the zone' },
];

/** A loaded ETA artifact. Load once at start; `predict` is synchronous and allocation-light. */
export class EtaModel extends ScoringModel {
  /**
   * Loads the ETA artifact from a file, or from a folder through its `manifest.json`
   * (default: the repository's `pipeline/src/models/artifacts`). Throws `ArtifactError` when it is unusable.
   */
  static load(path?: string, options?: ModelOptions): EtaModel {
    return new EtaModel(ScoringModel.read('eta', path), options);
  }

  /** Wraps an artifact already in memory (e.g. just trained). */
  static fromArtifact(artifact: ModelArtifact, options?: ModelOptions): EtaModel {
    return new EtaModel(ScoringModel.check('eta', artifact), options);
  }

  /** Predicts minutes to delivery. Throws `ModelInputError` for a non-finite number or an unknown weather. */
  predict(features: EtaFeatures): EtaPrediction {
    const { value, latencyMs } = this.score(features as unknown as Record<string, unknown>);
    return { etaMinutes: Math.max(1, Math.round(value * 100) / 100), latencyMs, model: 'eta', modelVersion: this.version };
  }
}
