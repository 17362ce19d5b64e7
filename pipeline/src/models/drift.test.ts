import { describe, expect, it } from 'vitest';
import { PSI_DRIFT, PSI_WARN, featurePsi, psi } from '@switchyard/ml';
import type { EtaModel } from '@switchyard/ml';
import { loadModels } from './index';
import { generateEtaHistory, generateFraudHistory } from './synthetic';
import type { EtaRow, EtaShift, FraudRow } from './synthetic';

// PSI of each feature of a fresh sample against the committed artifact's training reference.
function drift(model: { artifact: EtaModel['artifact'] }, rows: readonly (EtaRow | FraudRow)[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const f of model.artifact.features) {
    out[f.name] = featurePsi(
      model.artifact.reference[f.name]!,
      rows.map((r) => (r as unknown as Record<string, unknown>)[f.name]),
    );
  }
  return out;
}

describe('feature drift against the training reference', () => {
  const { eta, fraud } = loadModels();

  it('sees no drift in a fresh sample from the training generator', () => {
    for (const value of Object.values(drift(eta, generateEtaHistory(5_000, 31)))) expect(value).toBeLessThan(PSI_WARN);
    for (const value of Object.values(drift(fraud, generateFraudHistory(5_000, 32)))) expect(value).toBeLessThan(PSI_WARN);
  });

  it.each<[string, EtaShift, (keyof EtaRow)[]]>([
    ['a wider delivery zone', { distanceScale: 1.8 }, ['distanceKm']],
    ['a driver shortage', { supplyScale: 0.5 }, ['driverSupply']],
    // Storms keep drivers home too, so supply drifts with the weather: the generator's world, seen through PSI.
    ['a week of storms', { weather: { rain: 1, storm: 2 } }, ['weather', 'driverSupply']],
  ])('flags %s as drift in the features it moves, and only there', (_what, shift, moved) => {
    const values = drift(eta, generateEtaHistory(5_000, 33, shift));
    for (const [name, value] of Object.entries(values)) {
      if (moved.includes(name as keyof EtaRow)) expect(value, name).toBeGreaterThan(PSI_DRIFT);
      else expect(value, name).toBeLessThan(PSI_WARN);
    }
  });

  it('flags a price rise in the fraud model amount, and the ETA output shifting with a wider zone', () => {
    const values = drift(fraud, generateFraudHistory(5_000, 34, { amountScale: 1.6 }));
    expect(values.amount).toBeGreaterThan(PSI_DRIFT);
    expect(values.items).toBeLessThan(PSI_WARN);

    const wide = generateEtaHistory(5_000, 35, { distanceScale: 1.8 }).map((r) => eta.predict(r).etaMinutes);
    expect(psi(eta.artifact.outputReference!, wide)).toBeGreaterThan(PSI_DRIFT);
  });
});
