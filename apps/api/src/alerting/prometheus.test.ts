// The Prometheus side: promtool checks and unit-tests alerts/prometheus-rules.yml; every metric the rules and the
// dashboards name is one the API registers; and a real Prometheus (Debian's `prometheus`) scrapes a /metrics body
// made by the API's own registry, loads the rules and evaluates them all with health "ok".
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { eventually, switchyardMetrics } from './testkit';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../../../..');
const RULES = join(ROOT, 'alerts/prometheus-rules.yml');
const which = (bin: string): string | undefined => ['/usr/bin', '/usr/local/bin', '/bin'].map((d) => join(d, bin)).find((p) => existsSync(p));
const PROMTOOL = which('promtool');
const PROMETHEUS = which('prometheus');
/** Metrics the rules or dashboards use that the API does not export yet (asserted absent, so this list shrinks). */
const PENDING = new Set<string>();

/** Metric names in a PromQL expression (identifiers followed by `{`, `[`, whitespace, `)` or the end, minus keywords). */
function metricNames(expr: string): string[] {
  const keywords = new Set(['sum', 'max', 'min', 'avg', 'count', 'rate', 'increase', 'delta', 'by', 'without', 'on', 'ignoring', 'and', 'or', 'unless', 'offset', 'histogram_quantile', 'max_over_time', 'min_over_time', 'avg_over_time', 'le', 'bool', 'topk', 'bottomk', 'clamp_min', 'label_replace', 'absent', 'time', 'vector', 'group_left', 'group_right', 'up']);
  const stripped = expr.replace(/"[^"]*"/g, '""').replace(/\{[^}]*\}/g, '{}').replace(/\$\{?\w+\}?/g, '');
  return [...stripped.matchAll(/\b([a-zA-Z_:][a-zA-Z0-9_:]*)\b/g)].map((m) => m[1] ?? '').filter((n) => !keywords.has(n) && !/^\d/.test(n) && /^switchyard[_:]/.test(n));
}

describe('Prometheus rules and dashboards', () => {
  it.skipIf(!PROMTOOL)('pass promtool check rules and promtool test rules', async () => {
    const check = await run(PROMTOOL ?? 'promtool', ['check', 'rules', RULES]);
    expect(check.stdout).toMatch(/SUCCESS: \d+ rules found/);
    const tests = readdirSync(join(ROOT, 'alerts/tests')).filter((f) => f.endsWith('.yml')).map((f) => join(ROOT, 'alerts/tests', f));
    expect(tests.length).toBeGreaterThanOrEqual(3);
    const out = await run(PROMTOOL ?? 'promtool', ['test', 'rules', ...tests]);
    expect(out.stdout.match(/SUCCESS/g)?.length).toBe(tests.length);
  });

  it('name only metrics the API registers (and recording rules), in rules and in every dashboard panel', async () => {
    const { names } = await switchyardMetrics(Date.now());
    const doc = parseYaml(readFileSync(RULES, 'utf8')) as { groups: { rules: { record?: string; alert?: string; expr: string }[] }[] };
    const recorded = new Set(doc.groups.flatMap((g) => g.rules.flatMap((r) => (r.record ? [r.record] : []))));
    const known = (n: string): boolean => names.has(n) || recorded.has(n) || PENDING.has(n);
    const unknown: string[] = [];
    for (const r of doc.groups.flatMap((g) => g.rules)) for (const n of metricNames(r.expr)) if (!known(n)) unknown.push(`prometheus-rules.yml ${r.alert ?? r.record}: ${n}`);
    const dashDir = join(ROOT, 'dashboards');
    const dashboards = readdirSync(dashDir).filter((f) => f.endsWith('.json'));
    expect(dashboards.sort()).toEqual(['consumer-lag.json', 'cost.json', 'dead-letters.json', 'inference.json', 'overview.json', 'queues.json']);
    for (const f of dashboards) {
      const d = JSON.parse(readFileSync(join(dashDir, f), 'utf8')) as { schemaVersion: number; templating: { list: { name: string; type: string; query?: string }[] }; panels: { title: string; type: string; datasource?: { uid: string }; targets?: { expr: string }[] }[] };
      expect(d.schemaVersion, f).toBeGreaterThanOrEqual(39);
      expect(d.templating.list.find((v) => v.name === 'datasource')).toMatchObject({ type: 'datasource', query: 'prometheus' });
      for (const p of d.panels.filter((x) => x.type !== 'row')) {
        expect(p.datasource?.uid, `${f} ${p.title}`).toBe('${datasource}');
        expect(p.targets?.length, `${f} ${p.title}`).toBeGreaterThan(0);
        for (const t of p.targets ?? []) {
          const used = metricNames(t.expr);
          if (used.length === 0) unknown.push(`${f} ${p.title}: no Switchyard metric in ${t.expr}`);
          for (const n of used) if (!known(n)) unknown.push(`${f} ${p.title}: ${n}`);
        }
      }
    }
    expect(unknown).toEqual([]);
    for (const n of PENDING) expect(names.has(n), `${n} is exported now: remove it from PENDING`).toBe(false);
  });

  it.skipIf(!PROMETHEUS)('load and evaluate in a real Prometheus scraping a Switchyard /metrics body', async () => {
    const { exposition } = await switchyardMetrics(Date.now());
    const server: Server = createServer((req, res) => {
      if (req.url === '/metrics') res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' }).end(exposition);
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const target = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    const dir = mkdtempSync(join(tmpdir(), 'prom-'));
    const portServer = createServer();
    await new Promise<void>((r) => portServer.listen(0, '127.0.0.1', () => r()));
    const promPort = (portServer.address() as AddressInfo).port;
    await new Promise((r) => portServer.close(r));
    writeFileSync(
      join(dir, 'prometheus.yml'),
      `global: { scrape_interval: 1s, evaluation_interval: 1s }\nrule_files: ['${RULES}']\nscrape_configs:\n  - job_name: switchyard\n    static_configs: [{ targets: ['${target}'] }]\n`,
    );
    let prom: ChildProcess | undefined;
    const stderr: string[] = [];
    try {
      prom = spawn(PROMETHEUS ?? 'prometheus', [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${promPort}`], { stdio: ['ignore', 'ignore', 'pipe'] });
      prom.stderr?.on('data', (c: Buffer) => stderr.push(c.toString()));
      type RulesAnswer = { data: { groups: { name: string; rules: { name: string; health: string; lastEvaluation: string; type: string; state?: string }[] }[] } };
      const groups = await eventually(async () => {
        try {
          const res = await fetch(`http://127.0.0.1:${promPort}/api/v1/rules`);
          const body = (await res.json()) as RulesAnswer;
          const rules = body.data.groups.flatMap((g) => g.rules);
          const evaluated = rules.length > 0 && rules.every((r) => !r.lastEvaluation.startsWith('0001'));
          const lag = rules.find((r) => r.name === 'ConsumerLagHigh');
          return evaluated && lag?.state === 'pending' ? body.data.groups : undefined;
        } catch {
          return undefined;
        }
      }, 40_000).catch((err: unknown) => {
        throw new Error(`${(err as Error).message}; prometheus said: ${stderr.join('').slice(-1500)}`);
      });
      const rules = groups.flatMap((g) => g.rules);
      expect(rules.filter((r) => r.health !== 'ok').map((r) => r.name)).toEqual([]);
      expect(rules.length).toBe(19);
    } finally {
      prom?.kill('SIGTERM');
      if (prom && prom.exitCode === null) await new Promise((r) => prom?.once('exit', r));
      await new Promise((r) => server.close(r));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
