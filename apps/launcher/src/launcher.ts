/**
 * The launcher: resolves the infrastructure, starts the parts in order, serves HTTP (the parts' routes and
 * /healthz), and stops everything in reverse order. main.ts wraps it with signals and the shutdown bound.
 */
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import type { Config } from '@switchyard/config';
import type { Clock } from '@switchyard/telemetry/clock';
import type { Logger } from '@switchyard/telemetry/log';
import { healthRoutes, type HealthCheck } from './health';
import { resolveInfrastructure, type Infrastructure, type InfraOptions } from './infra';
import { startParts, stopParts, type Part, type PartFactory } from './parts';

/** Options of {@link startLauncher}. */
export interface LauncherOptions extends InfraOptions {
  logger: Logger;
  clock: Clock;
  /** The parts to run, in start order. */
  parts: readonly PartFactory[];
  /** Where the start-up summary goes, one line per call (default: nowhere). */
  print?: (line: string) => void;
  /** Timeout of each /healthz check in ms (default 2000). */
  healthTimeoutMs?: number;
}

/** A running launcher. */
export interface Launcher {
  /** `http://host:port`, with the port actually bound. */
  url: string;
  infra: Infrastructure;
  /** Stops HTTP, the parts (reverse order) and the infrastructure. Never throws; a second call waits for the first. */
  stop(): Promise<void>;
}

function listen(app: Hono, host: string, port: number): Promise<{ server: ServerType; port: number }> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, hostname: host, port }, (info: AddressInfo) => resolve({ server, port: info.port }));
    server.once('error', reject);
  });
}

function closeServer(server: ServerType): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    // Long-lived responses (SSE) would hold close() open: end idle and active connections.
    if ('closeAllConnections' in server) server.closeAllConnections();
  });
}

/** Starts everything; on failure, stops what it had started and rethrows. */
export async function startLauncher(config: Config, opts: LauncherOptions): Promise<Launcher> {
  const { logger, clock } = opts;
  const print = opts.print ?? (() => undefined);
  const infra = await resolveInfrastructure(config, logger, opts);
  const { kafka, redis, clickhouse } = infra;
  print(`kafka       ${kafka.brokers.join(',')} (${kafka.mode === 'mock' ? `librdkafka mock cluster via kcat, guard pid ${kafka.pid}` : 'external, KAFKA_BROKERS'})`);
  const redisHow = { env: 'external, REDIS_URL', default: 'already running, not started by us', started: `redis-server started by us, guard pid ${redis.pid}` }[redis.origin];
  print(`redis       ${redis.url} (${redisHow})`);
  print(`clickhouse  ${clickhouse.mode === 'embedded' ? `embedded chDB in ${clickhouse.location}` : `server ${clickhouse.location}`} (database ${config.clickhouseDatabase})`);

  let parts: Part[] = [];
  let server: ServerType | undefined;
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      if (server) await closeServer(server);
      await stopParts(parts, logger);
      await infra.stop();
    })());

  try {
    const created = await Promise.all(opts.parts.map((f) => f()));
    const app = new Hono();
    const checks = (): Record<string, HealthCheck> => {
      const all: Record<string, HealthCheck> = { kafka: kafka.health, redis: redis.health, clickhouse: clickhouse.health };
      for (const p of parts) if (p.health) all[p.name] = p.health.bind(p);
      return all;
    };
    healthRoutes(app, checks, opts.healthTimeoutMs);
    parts = await startParts(created, { config, kafkaBrokers: kafka.brokers, redisUrl: redis.url, store: infra.store, clock, logger }, logger);
    for (const p of parts) {
      p.routes?.(app);
      print(`part        ${p.name} started`);
    }
    const bound = await listen(app, config.host, config.port);
    server = bound.server;
    const host = config.host.includes(':') ? `[${config.host}]` : config.host;
    const url = `http://${host}:${bound.port}`;
    print(`listening on ${url}`);
    print(`console     ${url}/`);
    print(`health      ${url}/healthz`);
    return { url, infra, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
