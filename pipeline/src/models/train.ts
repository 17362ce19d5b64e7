/**
 * `npm run train`: trains the ETA and fraud models on seeded synthetic history, prints their holdout figures and
 * inference latency, and writes `artifacts/<name>-<version>.json` and `artifacts/manifest.json`.
 *
 *   npm run train -- [--eta-version 1.0.0] [--fraud-version 1.0.0] [--seed 20240611] [--out <dir>]
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { EtaModel, FraudModel, percentile, saveArtifact, saveManifest } from '@switchyard/ml';
import type { ModelArtifact } from '@switchyard/ml';
import { systemClock } from '@switchyard/telemetry/clock';
import { generateEtaHistory, generateFraudHistory } from './synthetic';
import { trainEta, trainFraud } from './training';

import { ARTIFACTS_DIR } from './index';
/** Artifacts above this size are refused: they are committed to the repository. */
const MAX_BYTES = 300 * 1024;

const { values } = parseArgs({
  options: {
    'eta-version': { type: 'string', default: '1.0.0' },
    'fraud-version': { type: 'string', default: '1.0.0' },
    seed: { type: 'string', default: '20240611' },
    out: { type: 'string', default: ARTIFACTS_DIR },
  },
});
const seed = Number(values.seed);
const out = values.out;
const say = (line: string): void => void process.stdout.write(line + '\n');

function write(artifact: ModelArtifact): string {
  const file = `${artifact.name}-${artifact.version}.json`;
  const bytes = saveArtifact(join(out, file), artifact);
  if (bytes > MAX_BYTES) throw new Error(`${file} is ${bytes} bytes, above the ${MAX_BYTES} limit: use fewer or shallower trees`);
  say(`  wrote ${file} (${(bytes / 1024).toFixed(0)} KB, ${artifact.model.trees.length} trees, ${artifact.trainingRows} training rows)`);
  return file;
}

/** Median and p99 of `predict` latency over `n` calls, in microseconds, as the model itself reports it. */
function latency(n: number, predict: (i: number) => number): string {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) samples.push(predict(i));
  return `median ${(percentile(samples, 50) * 1000).toFixed(1)} µs, p99 ${(percentile(samples, 99) * 1000).toFixed(1)} µs over ${n} predictions`;
}

const trainedAt = systemClock.now();
let started = performance.now();
const eta = trainEta({ rows: 60_000, seed, version: values['eta-version'], trainedAt });
const etaSeconds = (performance.now() - started) / 1000;
started = performance.now();
const fraud = trainFraud({ rows: 200_000, seed: seed + 1, version: values['fraud-version'], trainedAt });
const fraudSeconds = (performance.now() - started) / 1000;

const e = eta.metrics.holdout;
say(`eta ${eta.version} (trained in ${etaSeconds.toFixed(1)} s)`);
say(`  holdout n=${e.n}: MAE ${e.mae} min, p90 |error| ${e.p90AbsError} min, bias ${e.bias} min, RMSE ${e.rmse} min`);
say(`  baselines: naive (prep + distance at average speed) MAE ${e.naiveMae} min; constant median MAE ${e.medianMae} min`);
const f = fraud.metrics.holdout;
say(`fraud ${fraud.version} (trained in ${fraudSeconds.toFixed(1)} s)`);
say(`  holdout n=${f.n} (${f.positives} fraudulent): AUC ${f.auc}; at threshold ${f.threshold}: precision ${f.precision}, recall ${f.recall}, F1 ${f.f1}`);

const manifest = { eta: { version: eta.version, file: write(eta) }, fraud: { version: fraud.version, file: write(fraud) } };
saveManifest(out, manifest);
say(`  wrote manifest.json`);

// Latency as the pipeline will see it: the saved artifacts, loaded back, scoring fresh rows.
const etaModel = EtaModel.load(out);
const fraudModel = FraudModel.load(out);
const etaRows = generateEtaHistory(1000, seed + 100);
const fraudRows = generateFraudHistory(1000, seed + 101);
say(`latency eta: ${latency(100_000, (i) => etaModel.predict(etaRows[i % 1000]!).latencyMs)}`);
say(`latency fraud: ${latency(100_000, (i) => fraudModel.predict(fraudRows[i % 1000]!).latencyMs)}`);
