import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadArtifact, resolveArtifactPath, saveArtifact, saveManifest, validateArtifact } from './artifact';
import type { ModelArtifact } from './artifact';
import { FeatureEncoder } from './encode';
import { ArtifactError, ModelInputError } from './errors';
import { ETA_FEATURES, EtaModel, WEATHERS } from './eta';
import { FRAUD_FEATURES, FraudModel } from './fraud';
import { fitGbm } from './gbm-fit';
import { categoricalReference, numericReference } from './psi';
import { Rng } from './random';

const dir = mkdtempSync(join(tmpdir(), 'ml-artifact-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A small ETA artifact: minutes = prep + 3 per km, on 600 rows. */
function tinyEta(): ModelArtifact {
  const rng = new Rng(5);
  const rows = Array.from({ length: 600 }, () => ({ distanceKm: rng.uniform(0.5, 8), prepMinutes: rng.int(5, 25), hour: rng.int(0, 23), weather: rng.categorical(WEATHERS, [4, 2, 1, 1]), driverSupply: rng.uniform(0.2, 3) }));
  const encoder = new FeatureEncoder('eta', ETA_FEATURES);
  const model = fitGbm(
    rows.map((r) => Float64Array.from(encoder.encode(r))),
    rows.map((r) => r.prepMinutes + 3 * r.distanceKm),
    { nTrees: 20 },
  );
  return {
    name: 'eta',
    version: '0.1.0',
    trainedAt: '2025-01-01T00:00:00.000Z',
    features: [...ETA_FEATURES],
    target: { name: 'deliveryMinutes', kind: 'regression' },
    model: model.toJSON(),
    reference: {
      distanceKm: numericReference(rows.map((r) => r.distanceKm)),
      prepMinutes: numericReference(rows.map((r) => r.prepMinutes)),
      hour: numericReference(rows.map((r) => r.hour)),
      weather: categoricalReference(rows.map((r) => r.weather), WEATHERS),
      driverSupply: numericReference(rows.map((r) => r.driverSupply)),
    },
    metrics: { holdout: { mae: 1 } },
    trainingRows: rows.length,
  };
}

const artifact = tinyEta();
const file = join(dir, 'eta-0.1.0.json');
saveArtifact(file, artifact);

describe('artifacts', () => {
  it('round-trips through a file and a manifest', () => {
    expect(loadArtifact(file, 'eta')).toEqual(artifact);
    saveManifest(dir, { eta: { version: '0.1.0', file: 'eta-0.1.0.json' } });
    expect(resolveArtifactPath('eta', dir)).toBe(file);
    expect(() => resolveArtifactPath('fraud', dir)).toThrow(/manifest.json: names no file for the fraud model/);
  });

  it('rejects a truncated file, naming the file and the problem', () => {
    const bad = join(dir, 'truncated.json');
    writeFileSync(bad, readFileSync(file, 'utf8').slice(0, 500));
    const err = catchError(() => loadArtifact(bad));
    expect(err).toBeInstanceOf(ArtifactError);
    expect(err).toMatchObject({ code: 'ML_ARTIFACT_INVALID', retriable: false, file: bad });
    expect(err.message).toContain(bad);
    expect(err.message).toMatch(/is not valid JSON/);
  });

  it('rejects corrupted fields, naming each problem', () => {
    const bad = join(dir, 'corrupted.json');
    const json = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown> & ModelArtifact;
    json.version = 'latest';
    delete (json.reference as Partial<ModelArtifact['reference']>).driverSupply;
    json.model.trees[3]![0] = [9, 1.5, 1, 2];
    writeFileSync(bad, JSON.stringify(json));
    const err = catchError(() => loadArtifact(bad)) as ArtifactError;
    expect(err.problems).toEqual(
      expect.arrayContaining([
        'version must look like 1.2.3, got "latest"',
        'reference has no histogram for feature driverSupply',
        'model.trees[3][0] splits on feature 9, outside 0..7',
      ]),
    );
  });

  it('rejects an artifact of the wrong model or whose columns do not match its trees', () => {
    expect(() => loadArtifact(file, 'fraud')).toThrow(/holds the eta model, expected fraud/);
    expect(() => FraudModel.fromArtifact(artifact)).toThrow(ArtifactError);
    const fewer = { ...artifact, features: artifact.features.filter((f) => f.name !== 'hour') };
    expect(validateArtifact(fewer)).toContain('model.nFeatures is 8 but the features encode to 7 columns');
    expect(() => saveArtifact(join(dir, 'never.json'), fewer)).toThrow(ArtifactError);
  });
});

describe('models', () => {
  it('predicts with a measured latency of at least zero', () => {
    const eta = EtaModel.load(file);
    const out = eta.predict({ distanceKm: 4, prepMinutes: 15, hour: 12, weather: 'rain', driverSupply: 1 });
    expect(out).toMatchObject({ model: 'eta', modelVersion: '0.1.0' });
    expect(out.latencyMs).toBeGreaterThanOrEqual(0);
    expect(Math.abs(out.etaMinutes - 27)).toBeLessThan(4);
  });

  it('reports the latency its clock measured', () => {
    const ticks = [100, 100.25];
    const eta = EtaModel.fromArtifact(artifact, { now: () => ticks.shift() ?? 0 });
    expect(eta.predict({ distanceKm: 1, prepMinutes: 10, hour: 9, weather: 'clear', driverSupply: 2 }).latencyMs).toBe(0.25);
  });

  it('refuses input it cannot score, naming the feature', () => {
    const eta = EtaModel.fromArtifact(artifact);
    const bad = { distanceKm: 1, prepMinutes: 10, hour: 9, weather: 'hail', driverSupply: 2 } as unknown as Parameters<EtaModel['predict']>[0];
    expect(() => eta.predict(bad)).toThrow(ModelInputError);
    expect(() => eta.predict(bad)).toThrow(/feature weather must be one of clear, rain, snow, storm, got hail/);
    expect(() => eta.predict({ distanceKm: Number.NaN, prepMinutes: 10, hour: 9, weather: 'clear', driverSupply: 2 })).toThrow(/distanceKm must be a finite number/);
  });

  it('scores fraud with the hour imputed when it is unknown', () => {
    const rng = new Rng(8);
    const rows = Array.from({ length: 800 }, () => ({ amount: rng.uniform(5, 300), items: rng.int(1, 8), addressMismatch: rng.bernoulli(0.2), hour: rng.int(0, 23) }));
    const features = FRAUD_FEATURES.map((f) => (f.name === 'hour' ? { ...f, impute: 14 } : { ...f }));
    const encoder = new FeatureEncoder('fraud', features);
    const labels = rows.map((r) => (r.amount > 200 && r.addressMismatch ? 1 : 0));
    const model = fitGbm(
      rows.map((r) => Float64Array.from(encoder.encode(r))),
      labels,
      { objective: 'logistic', nTrees: 30, minSamplesLeaf: 5 },
    );
    const fraud = FraudModel.fromArtifact({
      ...artifact,
      name: 'fraud',
      features,
      target: { name: 'isFraud', kind: 'binary' },
      model: model.toJSON(),
      reference: {},
      decisionThreshold: 0.5,
    });
    const risky = fraud.predict({ amount: 280, items: 3, addressMismatch: true });
    const safe = fraud.predict({ amount: 20, items: 1, addressMismatch: false, hour: 12 });
    expect(risky.score).toBeGreaterThan(0.5);
    expect(risky.flagged).toBe(true);
    expect(safe.score).toBeLessThan(0.1);
    expect(safe).toMatchObject({ model: 'fraud', modelVersion: '0.1.0', flagged: false });
  });
});

function catchError(fn: () => unknown): Error & { problems?: string[] } {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a throw');
}
