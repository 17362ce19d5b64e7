/**
 * Test harness for the API's tests (not shipped behaviour): a migrated embedded store in a temp folder, a Redis
 * client with a unique key prefix (removed on close), a kafkajs instance on the run's mock cluster, and an API
 * over them. Each test file opens one (chDB: one process per folder).
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { openStore } from '@switchyard/store';
import type { Store } from '@switchyard/store/types';
import { systemClock, type Clock } from '@switchyard/telemetry/clock';
import { createLogger, type Logger } from '@switchyard/telemetry/log';
import { createApi, type Api } from './app';
import type { CollectorHealth } from './metrics/registry';
import type { ApiOptions } from './types';
import { deleteKeys } from '@switchyard/bus/testing';

/** What a test file works with. */
export interface Harness {
  store: Store;
  redis: Redis;
  kafka: Kafka;
  prefix: string;
  logger: Logger;
  /** Builds an API over the harness (a new instance each call, sharing store and Redis). */
  api(opts?: { adminToken?: string; clock?: Clock; api?: Partial<ApiOptions>; collectorHealth?: () => CollectorHealth[] }): Api;
  close(): Promise<void>;
}

/** Opens the harness. `brokers` from vitest's inject('kafkaBrokers'); `redisUrl` from inject('redisUrl'). */
export async function openHarness(brokers: string, redisUrl: string): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), 'sy-api-'));
  const store = await openStore({ dataDir: dir, database: 'switchyard', retentionDays: 7 });
  const redis = new Redis(redisUrl, { lazyConnect: false, maxRetriesPerRequest: 2 });
  const prefix = `t-${randomUUID()}:`;
  const kafka = new Kafka({ clientId: 'api-test', brokers: brokers.split(','), logLevel: logLevel.NOTHING, retry: { retries: 0 } });
  const lines: string[] = [];
  const logger = createLogger('test', (l) => lines.push(l));
  return {
    store,
    redis,
    kafka,
    prefix,
    logger,
    api: (opts = {}) =>
      createApi({
        store,
        redis,
        kafka,
        clock: opts.clock ?? systemClock,
        logger,
        collectorHealth: opts.collectorHealth,
        config: { adminToken: opts.adminToken ?? '', topicPrefix: '', api: { redisPrefix: prefix, kafkaTimeoutMs: 1500, ...opts.api } },
      }),
    close: async () => {
      await deleteKeys(redis, prefix);
      redis.disconnect();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Shorthand for an in-process JSON request. */
export function req(api: Api, method: string, path: string, opts: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {}): Promise<Response> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
  let body: string | undefined;
  if (opts.raw !== undefined || opts.body !== undefined) {
    headers['Content-Type'] ??= 'application/json';
    body = opts.raw ?? JSON.stringify(opts.body);
  }
  return Promise.resolve(api.app.request(path, { method, headers, body }));
}
