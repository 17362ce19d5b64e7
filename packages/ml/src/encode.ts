/**
 * Feature specifications and the encoder that turns a record of named features into the numeric vector a model
 * reads: a numeric feature is one column, a categorical feature one 0/1 column per category (one-hot).
 */
import { ModelInputError } from './errors';

/** One model input as the artifact declares it. */
export interface FeatureSpec {
  name: string;
  kind: 'numeric' | 'categorical';
  /** The allowed values of a categorical feature, in column order. Booleans are categorical `['false', 'true']`. */
  categories?: string[];
  /** For an optional numeric feature: the value used when it is absent (the training median). */
  impute?: number;
  /** What the feature means, with its unit. */
  description?: string;
}

/** The names of the encoded columns, e.g. `distanceKm`, `weather=rain`. */
export function encodedColumns(features: readonly FeatureSpec[]): string[] {
  return features.flatMap((f) => (f.kind === 'numeric' ? [f.name] : (f.categories ?? []).map((c) => `${f.name}=${c}`)));
}

/** Checks a list of feature specs read from a file; returns the problems found. */
export function validateFeatures(value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0) return ['features must be a non-empty array'];
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const [i, f] of (value as unknown[]).entries()) {
    const at = `features[${i}]`;
    if (typeof f !== 'object' || f === null) {
      problems.push(`${at} is not an object`);
      continue;
    }
    const spec = f as Record<string, unknown>;
    if (typeof spec.name !== 'string' || spec.name === '') problems.push(`${at}.name must be a non-empty string`);
    else if (seen.has(spec.name)) problems.push(`${at}.name ${spec.name} is declared twice`);
    else seen.add(spec.name);
    if (spec.kind === 'categorical') {
      const c = spec.categories;
      if (!Array.isArray(c) || c.length === 0 || !c.every((v) => typeof v === 'string')) problems.push(`${at}.categories must be a non-empty array of strings`);
    } else if (spec.kind !== 'numeric') problems.push(`${at}.kind must be "numeric" or "categorical", got ${JSON.stringify(spec.kind)}`);
    if (spec.impute !== undefined && !Number.isFinite(spec.impute)) problems.push(`${at}.impute must be a finite number`);
  }
  return problems;
}

/** Encodes records for one model; reuses one output buffer, so a result is only valid until the next call. */
export class FeatureEncoder {
  /** Number of encoded columns. */
  readonly width: number;
  private readonly buffer: Float64Array;
  private readonly indexOf: Map<string, number>[];

  /** @param model the model name used in error messages. */
  constructor(
    private readonly model: string,
    private readonly features: readonly FeatureSpec[],
  ) {
    this.width = encodedColumns(features).length;
    this.buffer = new Float64Array(this.width);
    this.indexOf = features.map((f) => new Map((f.categories ?? []).map((c, i) => [c, i])));
  }

  /**
   * Encodes one record. Throws `ModelInputError` for a missing or non-finite number (unless the feature has an
   * `impute` value) and for a category the model does not know.
   */
  encode(record: Readonly<Record<string, unknown>>): Float64Array {
    const out = this.buffer;
    let col = 0;
    for (let i = 0; i < this.features.length; i++) {
      const spec = this.features[i] as FeatureSpec;
      const v = record[spec.name];
      if (spec.kind === 'numeric') {
        if (typeof v === 'number' && Number.isFinite(v)) out[col] = v;
        else if ((v === undefined || v === null) && spec.impute !== undefined) out[col] = spec.impute;
        else throw new ModelInputError(this.model, spec.name, `must be a finite number, got ${String(v)}`);
        col++;
      } else {
        const cats = spec.categories ?? [];
        const k = (this.indexOf[i] as Map<string, number>).get(String(v));
        if (k === undefined) throw new ModelInputError(this.model, spec.name, `must be one of ${cats.join(', ')}, got ${String(v)}`);
        for (let c = 0; c < cats.length; c++) out[col + c] = c === k ? 1 : 0;
        col += cats.length;
      }
    }
    return out;
  }
}
