/**
 * `npm run bench [name...]`: runs the benchmarks (all by default) one after another on this machine and prints
 * their figures as JSON lines; BENCHMARKS.md records them with the machine and the command.
 */
import { cpus, totalmem } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';

type Bench = () => Promise<unknown>;

/** A positive integer from the environment (bench sizes), or undefined to keep the bench's default. */
function envInt(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) {
    process.stderr.write(`${name} must be a positive integer, got ${JSON.stringify(raw)}\n`);
    process.exit(2);
  }
  return n;
}

const BENCHES: Record<string, Bench> = {
  pipeline: async () => (await import('./pipeline')).runPipelineBench(),
  'tap-ingest': async () => (await import('./tap-ingest')).runTapIngestBench({ events: envInt('BENCH_TAP_EVENTS') }),
  freshness: async () => (await import('./freshness')).runFreshnessBench(),
  queries: async () => (await import('./queries')).runQueriesBench({ iterations: envInt('BENCH_QUERY_RUNS') }),
  'lag-sweep': async () => (await import('./lag-sweep')).runLagSweepBench(),
  actions: async () => (await import('./actions')).runActionsBench(),
  metrics: async () => (await import('./actions')).runMetricsBench(),
  console: async () => (await import('./console')).runConsoleBench(),
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !(w in BENCHES));
if (unknown.length > 0) {
  process.stderr.write(`unknown benchmark(s): ${unknown.join(', ')}; known: ${Object.keys(BENCHES).join(', ')}\n`);
  process.exit(2);
}
const machine = { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', memGb: Math.round(totalmem() / 2 ** 30), node: process.version };
const results: Record<string, unknown> = { machine, at: new Date().toISOString() };
for (const name of wanted.length > 0 ? wanted : Object.keys(BENCHES)) {
  process.stdout.write(`# ${name}\n`);
  const r = await BENCHES[name]!();
  results[name] = r;
  process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
}
mkdirSync('.artifacts', { recursive: true });
writeFileSync('.artifacts/bench-latest.json', JSON.stringify(results, null, 2));
process.exit(0);
