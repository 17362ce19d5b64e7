import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ARTIFACTS_DIR, EtaModel, classificationReport, mae, rocAuc } from '@switchyard/ml';
import type { ArtifactManifest } from '@switchyard/ml';
import { ARTIFACTS_DIR, loadModels } from './index';
import { generateEtaHistory, generateFraudHistory, naiveEta } from './synthetic';

/** The committed ETA model must be at least this good on held-out rows, in minutes. */
const ETA_MAE_BOUND = 3;

describe('committed model artifacts', () => {
  const manifest = JSON.parse(readFileSync(join(ARTIFACTS_DIR, 'manifest.json'), 'utf8')) as ArtifactManifest;
  const { eta, fraud } = loadModels();

  it('load through the manifest, are the versions it names, and stay small', () => {
    expect(eta.version).toBe(manifest.eta?.version);
    expect(fraud.version).toBe(manifest.fraud?.version);
    expect(DEFAULT_ARTIFACTS_DIR).toBe(ARTIFACTS_DIR);
    expect(EtaModel.load().version).toBe(eta.version);
    for (const entry of [manifest.eta, manifest.fraud]) expect(statSync(join(ARTIFACTS_DIR, entry!.file)).size).toBeLessThan(300 * 1024);
  });

  it('ETA: holdout MAE under the bound, and beats the naive baseline on fresh history', () => {
    const holdout = eta.artifact.metrics.holdout;
    expect(holdout.mae).toBeLessThan(ETA_MAE_BOUND);
    expect(holdout.mae! * 2).toBeLessThan(holdout.naiveMae!);

    const fresh = generateEtaHistory(5_000, 9_001);
    const actual = fresh.map((r) => r.deliveryMinutes);
    const predicted = fresh.map((r) => eta.predict(r).etaMinutes);
    const modelMae = mae(predicted, actual);
    expect(modelMae).toBeLessThan(ETA_MAE_BOUND);
    expect(modelMae * 2).toBeLessThan(mae(fresh.map(naiveEta), actual));
  });

  it('fraud: AUC above 0.8 on fresh history, with useful precision and recall at its threshold', () => {
    expect(fraud.artifact.metrics.holdout.auc).toBeGreaterThan(0.8);
    const fresh = generateFraudHistory(20_000, 9_002);
    const scores = fresh.map((r) => fraud.predict(r).score);
    const labels = fresh.map((r) => r.isFraud);
    expect(rocAuc(scores, labels)).toBeGreaterThan(0.8);
    const report = classificationReport(scores, labels, fraud.threshold);
    expect(report.precision).toBeGreaterThan(0.3);
    expect(report.recall).toBeGreaterThan(0.3);
  });

  it('report a non-negative latency for every inference', () => {
    const row = generateEtaHistory(1, 1)[0]!;
    expect(eta.predict(row).latencyMs).toBeGreaterThanOrEqual(0);
    expect(fraud.predict({ amount: 40, items: 2, addressMismatch: false }).latencyMs).toBeGreaterThanOrEqual(0);
  });
});
