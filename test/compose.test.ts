/**
 * docker-compose.yml, the Dockerfile and deploy/ checked statically (no Docker engine runs here): the subset of the
 * Compose specification the file uses (a strict zod schema: a misspelt key fails), pinned images, loopback-only
 * ports, health checks and start order, entry points that exist, and environment variables the configuration knows.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { COLLECTOR_NAMES } from '../collectors/part';
import { SERVICE_NAMES } from '../pipeline/src/runtime';
import { KNOWN_ENV, loadConfig } from '@switchyard/config';
import { ROOT } from './multiprocess/harness';

const Duration = z.string().regex(/^\d+(ms|s|m|h)$/);
const Healthcheck = z.strictObject({
  test: z.array(z.string()).min(2).refine((t) => t[0] === 'CMD' || t[0] === 'CMD-SHELL', 'test starts with CMD or CMD-SHELL'),
  interval: Duration,
  timeout: Duration,
  retries: z.number().int().positive(),
  start_period: Duration.optional(),
});
const Service = z.strictObject({
  image: z.string(),
  build: z.string().optional(),
  command: z.array(z.string()).optional(),
  restart: z.enum(['no', 'always', 'on-failure', 'unless-stopped']).optional(),
  environment: z.record(z.string(), z.string()).optional(),
  ports: z.array(z.string()).optional(),
  volumes: z.array(z.string()).optional(),
  healthcheck: Healthcheck.optional(),
  depends_on: z.record(z.string(), z.strictObject({ condition: z.enum(['service_started', 'service_healthy', 'service_completed_successfully']) })).optional(),
  deploy: z.strictObject({ replicas: z.number().int().positive() }).optional(),
  ulimits: z.record(z.string(), z.strictObject({ soft: z.number(), hard: z.number() })).optional(),
  profiles: z.array(z.string()).optional(),
});
const ComposeFile = z.looseObject({
  name: z.string(),
  services: z.record(z.string(), Service),
  volumes: z.record(z.string(), z.null()),
});
type Svc = z.output<typeof Service>;

const text = readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8');
const compose = ComposeFile.parse(parse(text, { merge: true }));
const services = Object.entries(compose.services);
const ours = services.filter(([, s]) => s.build !== undefined);
const infra = ['kafka', 'clickhouse', 'redis', 'prometheus', 'grafana'];

/** Compose interpolation of `${VAR:-default}`, `${VAR}` and `$$` with nothing set, as `docker compose config` does. */
const interpolate = (v: string): string => v.replace(/\$\$|\$\{(\w+)(?::?-([^}]*))?\}/g, (m, _name: string, def?: string) => (m === '$$' ? '$' : (def ?? '')));

// Variables each third-party image reads, by image name.
const IMAGE_ENV: Record<string, RegExp> = {
  'apache/kafka': /^(KAFKA_\w+|CLUSTER_ID)$/,
  'clickhouse/clickhouse-server': /^CLICKHOUSE_(DB|USER|PASSWORD|DEFAULT_ACCESS_MANAGEMENT|SKIP_USER_SETUP)$/,
  'grafana/grafana': /^GF_\w+$/,
};

describe('docker-compose.yml', () => {
  it('runs the infrastructure and every part', () => {
    for (const name of infra) expect(compose.services[name], name).toBeDefined();
    const env = (s: Svc): Record<string, string> => s.environment ?? {};
    expect(ours.filter(([, s]) => env(s).SWITCHYARD_API === 'true').map(([n]) => n)).toEqual(['api']);
    // Every collector but traces (spans arrive at the API's OTLP receiver) in a container of its own.
    for (const c of COLLECTOR_NAMES.filter((n) => n !== 'traces')) expect(ours.filter(([, s]) => env(s).SWITCHYARD_COLLECTORS === c).length, c).toBe(1);
    // Every pipeline service (intake included) in a container of its own.
    for (const p of SERVICE_NAMES) expect(ours.filter(([, s]) => env(s).SWITCHYARD_PIPELINE === 'true' && env(s).SWITCHYARD_SERVICES === p).length, p).toBe(1);
    expect(compose.services.tap?.deploy?.replicas).toBe(2);
    expect(compose.services.loadgen?.command?.at(-1)).toBe('http://intake:8080/pipeline/load');
  });

  it('pins every image to a version', () => {
    for (const [name, s] of services) {
      if (s.build !== undefined) expect(s.image, name).toMatch(/^switchyard:[\w.-]+$/);
      else expect(s.image, name).toMatch(/^[\w./-]+:v?\d+\.\d+(\.\d+)*(-[\w.]+)?$/);
      expect(s.image, name).not.toMatch(/:latest$/);
    }
  });

  it('publishes ports on 127.0.0.1 only', () => {
    const ports = services.flatMap(([name, s]) => (s.ports ?? []).map((p) => [name, p] as const));
    expect(ports.length).toBeGreaterThan(0);
    for (const [name, p] of ports) expect(p, name).toMatch(/^127\.0\.0\.1:\d+:\d+$/);
    const hostPorts = ports.map(([, p]) => p.split(':')[1]);
    expect(new Set(hostPorts).size).toBe(hostPorts.length);
  });

  it('health-checks the infrastructure and the parts, and starts each after what it needs is healthy', () => {
    for (const name of [...infra, ...ours.map(([n]) => n)]) expect(compose.services[name]?.healthcheck, name).toBeDefined();
    for (const [name, s] of services) {
      for (const [dep, { condition }] of Object.entries(s.depends_on ?? {})) {
        expect(compose.services[dep], `${name} depends on ${dep}`).toBeDefined();
        expect(condition, `${name} → ${dep}`).toBe('service_healthy');
        expect(compose.services[dep]?.healthcheck, `${dep} has a health check`).toBeDefined();
      }
    }
    for (const [name, s] of ours) for (const dep of ['kafka', 'redis', 'clickhouse']) expect(Object.keys(s.depends_on ?? {}), name).toContain(dep);
  });

  it('runs the parts through an entry point that exists', () => {
    for (const [name, s] of ours) {
      const cmd = s.command ?? [];
      expect(cmd.slice(0, 3), name).toEqual(['node', '--import', 'tsx']);
      expect(existsSync(join(ROOT, cmd[3] ?? '-')), `${name}: ${cmd[3]}`).toBe(true);
    }
  });

  it('sets only variables the configuration (or the image) knows, with values it accepts', () => {
    for (const [name, s] of services) {
      const env = s.environment ?? {};
      if (s.build !== undefined) {
        for (const k of Object.keys(env)) expect(KNOWN_ENV.has(k), `${name}: ${k} is not a Switchyard option`).toBe(true);
        const config = loadConfig(Object.fromEntries(Object.entries(env).map(([k, v]) => [k, interpolate(v)])));
        expect(config.clickhouseUrl, name).toMatch(/^http:\/\/switchyard:[^@]+@clickhouse:8123$/);
        expect(config.host, name).toBe('0.0.0.0');
      } else {
        const rule = Object.entries(IMAGE_ENV).find(([image]) => s.image.startsWith(`${image}:`))?.[1];
        for (const k of Object.keys(env)) expect(rule?.test(k) ?? false, `${name}: ${k}`).toBe(true);
      }
    }
  });

  it('keeps state in named volumes and mounts files that exist', () => {
    for (const [name, s] of services) {
      for (const v of s.volumes ?? []) {
        const [source = '', target] = v.split(':');
        expect(target, `${name}: ${v}`).toMatch(/^\//);
        if (source.startsWith('./')) expect(existsSync(join(ROOT, source)), `${name}: ${source}`).toBe(true);
        else expect(Object.keys(compose.volumes), `${name}: volume ${source}`).toContain(source);
      }
    }
    for (const name of ['kafka', 'clickhouse', 'redis', 'prometheus', 'grafana']) expect(compose.services[name]?.volumes?.some((v) => !v.startsWith('.')), name).toBe(true);
  });
});

describe('deploy/', () => {
  it('has Prometheus scrape the API and load the rule file', () => {
    const prom = parse(readFileSync(join(ROOT, 'deploy/prometheus.yml'), 'utf8')) as { rule_files: string[]; scrape_configs: { job_name: string; metrics_path?: string; static_configs: { targets: string[] }[] }[] };
    const job = prom.scrape_configs.find((j) => j.job_name === 'switchyard');
    expect(job?.metrics_path).toBe('/metrics');
    expect(job?.static_configs[0]?.targets).toEqual(['api:8080']);
    const mount = compose.services.prometheus?.volumes?.find((v) => v.startsWith('./alerts/'));
    expect(mount?.split(':')[1]).toMatch(/^\/etc\/prometheus\/rules\/[\w-]+\.yml$/);
    expect(prom.rule_files).toEqual(['/etc/prometheus/rules/*.yml']);
  });

  it('provisions Grafana with the Prometheus service and the dashboards folder', () => {
    const ds = parse(readFileSync(join(ROOT, 'deploy/grafana/provisioning/datasources/prometheus.yml'), 'utf8')) as { datasources: { type: string; url: string }[] };
    expect(ds.datasources[0]).toMatchObject({ type: 'prometheus', url: 'http://prometheus:9090' });
    const dash = parse(readFileSync(join(ROOT, 'deploy/grafana/provisioning/dashboards/switchyard.yml'), 'utf8')) as { providers: { options: { path: string } }[] };
    const path = dash.providers[0]?.options.path;
    expect(compose.services.grafana?.volumes).toContain(`./dashboards:${path}:ro`);
  });
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');

  it('builds from a pinned slim Node 20 image and runs the launcher as a non-root user', () => {
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:20\.\d+\.\d+-bookworm-slim$/m);
    const froms = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((m) => m[1]);
    expect(froms.every((f) => f === '${NODE_IMAGE}')).toBe(true);
    const final = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(final).toMatch(/^USER node$/m);
    expect(final).toContain('CMD ["node", "--import", "tsx", "apps/launcher/src/main.ts"]');
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    expect(dockerfile).toMatch(/npm run build -w @switchyard\/console/);
  });

  it('can run tsx after `npm ci --omit=dev`: tsx is a production dependency', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    expect(pkg.dependencies?.tsx, 'move tsx from devDependencies to dependencies in the root package.json').toBeDefined();
  });
});
