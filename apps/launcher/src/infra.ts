/**
 * Resolves the three pieces of infrastructure every Switchyard process needs, the way DESIGN.md's embedded default
 * describes: Kafka from KAFKA_BROKERS or librdkafka's mock cluster; Redis from REDIS_URL, else 127.0.0.1:6379 when
 * it answers, else a redis-server started here; ClickHouse from CLICKHOUSE_URL or embedded chDB under DATA_DIR.
 * Whatever is started here is supervised (its exit is logged and shows in health) and stopped by `stop()`.
 */
import { resolve as resolvePath } from 'node:path';
import type { Config } from '@switchyard/config';
import { openStore, type Store } from '@switchyard/store';
import type { Logger } from '@switchyard/telemetry/log';
import type { DetailedHealth } from './health';
import { startMockCluster, type MockCluster } from './kafka-mock';
import { parseHostPort, redactUrl, redisPing, tcpProbe } from './net';
import { startRedisServer, type RedisServer } from './redis-server';

/** A health check of a piece of infrastructure. */
export type InfraHealthCheck = () => Promise<DetailedHealth>;

/** Kafka as resolved. */
export interface KafkaInfra {
  brokers: string[];
  /** `mock`: librdkafka's mock cluster started here; `external`: KAFKA_BROKERS. */
  mode: 'mock' | 'external';
  /** PID of the mock cluster's guard (mock mode only). */
  pid?: number;
  health: InfraHealthCheck;
}

/** Redis as resolved. */
export interface RedisInfra {
  url: string;
  /** `env`: REDIS_URL; `default`: the default address answered; `started`: a redis-server started here. */
  origin: 'env' | 'default' | 'started';
  /** PID of the started server's guard (origin `started` only). */
  pid?: number;
  health: InfraHealthCheck;
}

/** ClickHouse as resolved. */
export interface ClickHouseInfra {
  mode: 'embedded' | 'server';
  /** The chDB folder (absolute) or the server URL without its password. */
  location: string;
  health: InfraHealthCheck;
}

/** What {@link resolveInfrastructure} returns. */
export interface Infrastructure {
  kafka: KafkaInfra;
  redis: RedisInfra;
  clickhouse: ClickHouseInfra;
  store: Store;
  /** Closes the store and stops what was started here, in reverse order. Never throws. */
  stop(): Promise<void>;
}

/** Options of {@link resolveInfrastructure}. */
export interface InfraOptions {
  /** The Redis tried when REDIS_URL is unset, as host:port (default `127.0.0.1:6379`). */
  defaultRedis?: string;
  /** Timeout of each health probe and of the default-Redis probe, in ms (default 1500). */
  probeTimeoutMs?: number;
}

/** Thrown when a piece of infrastructure is missing; the message says what to install or set. */
export class InfraError extends Error {
  readonly code = 'INFRA_UNAVAILABLE';
  readonly retriable = false;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InfraError';
  }
}

type Cleanup = () => Promise<void>;

async function resolveKafka(config: Config, logger: Logger, timeoutMs: number, cleanups: Cleanup[]): Promise<KafkaInfra> {
  const probeAny = async (brokers: string[]) => {
    const results = await Promise.all(brokers.map((b) => parseHostPort(b, 9092)).map((b) => tcpProbe(b.host, b.port, timeoutMs)));
    return results.find((r) => r.ok) ?? results[0] ?? { ok: false, detail: 'no brokers' };
  };
  if (config.kafkaBrokers.length > 0) {
    const brokers = config.kafkaBrokers;
    return {
      brokers,
      mode: 'external',
      health: async () => {
        const r = await probeAny(brokers);
        return { state: r.ok ? 'up' : 'down', brokers, mode: 'external', ...(r.detail ? { detail: r.detail } : {}) };
      },
    };
  }
  let cluster: MockCluster;
  try {
    cluster = await startMockCluster({
      brokers: config.mockBrokers,
      onExit: (reason) => logger.error('kafka mock cluster exited: Kafka is down until the launcher restarts', { reason }),
    });
  } catch (err) {
    throw new InfraError(`Kafka: KAFKA_BROKERS is unset, and librdkafka's mock cluster (through kcat) did not start: ${(err as Error).message}. Or set KAFKA_BROKERS to use a running cluster.`, { cause: err });
  }
  cleanups.push(() => cluster.stop());
  const brokers = cluster.brokers;
  return {
    brokers,
    mode: 'mock',
    pid: cluster.pid,
    health: async () => {
      const exited = cluster.exited();
      if (exited) return { state: 'down', brokers, mode: 'mock', detail: exited };
      const r = await probeAny(brokers);
      return { state: r.ok ? 'up' : 'down', brokers, mode: 'mock', ...(r.detail ? { detail: r.detail } : {}) };
    },
  };
}

async function resolveRedis(config: Config, logger: Logger, opts: Required<InfraOptions>, cleanups: Cleanup[]): Promise<RedisInfra> {
  const check = (url: string, origin: RedisInfra['origin'], server?: RedisServer): InfraHealthCheck => async () => {
    const shown = redactUrl(url);
    const exited = server?.exited();
    if (exited) return { state: 'down', url: shown, origin, detail: exited };
    const r = await redisPing(url, opts.probeTimeoutMs);
    return { state: r.ok ? 'up' : 'down', url: shown, origin, ...(r.detail ? { detail: r.detail } : {}) };
  };
  if (config.redisUrl) {
    // Configured explicitly: use it even if it is down right now (health says so); never start our own instead.
    const r = await redisPing(config.redisUrl, opts.probeTimeoutMs);
    if (!r.ok) logger.warn('REDIS_URL does not answer PING yet', { url: redactUrl(config.redisUrl), detail: r.detail });
    return { url: config.redisUrl, origin: 'env', health: check(config.redisUrl, 'env') };
  }
  const { host, port } = parseHostPort(opts.defaultRedis, 6379);
  const defaultUrl = `redis://${host.includes(':') ? `[${host}]` : host}:${port}`;
  if ((await redisPing(defaultUrl, opts.probeTimeoutMs)).ok) return { url: defaultUrl, origin: 'default', health: check(defaultUrl, 'default') };
  let server: RedisServer;
  try {
    server = await startRedisServer({ onExit: (reason) => logger.error('redis-server exited: Redis is down until the launcher restarts', { reason }) });
  } catch (err) {
    throw new InfraError(
      `Redis: REDIS_URL is unset, nothing answers at ${host}:${port}, and a redis-server of our own did not start: ${(err as Error).message}. Or set REDIS_URL to use a running Redis.`,
      { cause: err },
    );
  }
  cleanups.push(() => server.stop());
  return { url: server.url, origin: 'started', pid: server.pid, health: check(server.url, 'started', server) };
}

async function resolveClickHouse(config: Config, logger: Logger, timeoutMs: number, cleanups: Cleanup[]): Promise<{ store: Store; clickhouse: ClickHouseInfra }> {
  const mode = config.clickhouseUrl ? 'server' : 'embedded';
  const location = config.clickhouseUrl ? redactUrl(config.clickhouseUrl) : resolvePath(config.dataDir);
  const store = await openStore({
    clickhouseUrl: config.clickhouseUrl || undefined,
    dataDir: location,
    database: config.clickhouseDatabase,
    retentionDays: config.retentionDays,
    cluster: config.clickhouseCluster || undefined,
    logger,
  });
  cleanups.push(() => store.close());
  const health: InfraHealthCheck = async () => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>((r) => (timer = setTimeout(() => r(false), timeoutMs)));
    const ok = await Promise.race([store.ping().catch(() => false), late]).finally(() => clearTimeout(timer));
    return { state: ok ? 'up' : 'down', mode, location, database: config.clickhouseDatabase, ...(ok ? {} : { detail: 'ping failed' }) };
  };
  return { store, clickhouse: { mode, location, health } };
}

/**
 * Resolves Kafka, Redis and ClickHouse (in that order) from the configuration, starting what is missing. When one
 * step fails, what earlier steps started is stopped before the error ({@link InfraError} naming what to install or
 * set, or the store's StoreError) is thrown.
 */
export async function resolveInfrastructure(config: Config, logger: Logger, options: InfraOptions = {}): Promise<Infrastructure> {
  const opts: Required<InfraOptions> = { defaultRedis: options.defaultRedis ?? '127.0.0.1:6379', probeTimeoutMs: options.probeTimeoutMs ?? 1500 };
  const cleanups: Cleanup[] = [];
  const stop = async (): Promise<void> => {
    for (const c of cleanups.splice(0).reverse()) {
      try {
        await c();
      } catch (err) {
        logger.error('infrastructure cleanup failed', { err });
      }
    }
  };
  try {
    const kafka = await resolveKafka(config, logger.child('kafka'), opts.probeTimeoutMs, cleanups);
    const redis = await resolveRedis(config, logger.child('redis'), opts, cleanups);
    const { store, clickhouse } = await resolveClickHouse(config, logger, opts.probeTimeoutMs, cleanups);
    return { kafka, redis, clickhouse, store, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
