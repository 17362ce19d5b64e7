/**
 * Test helpers of the alerting tests (not a test file): a real embedded store in a temp folder, a real HTTP
 * receiver on 127.0.0.1:0 that can go down and come back on the same port, Redis key cleanup, and inline rules.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { openStore, type OpenedStore } from '@switchyard/store';
import { createLogger, type Logger } from '@switchyard/telemetry/log';
import { validateRuleFile, type Rule } from './rules';
import { deleteKeys, eventually as poll } from '@switchyard/bus/testing';

/** A logger that drops everything (tests assert outcomes, not log lines). */
export const quietLogger: Logger = createLogger('test', () => undefined);

/** The Redis URL of the tests. */
export const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

/** A migrated embedded store in a fresh folder; `dispose` closes it and removes the folder. */
export async function openTestStore(): Promise<{ store: OpenedStore; dispose: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'alerting-'));
  const store = await openStore({ dataDir: dir, database: 'alerting_test' });
  return {
    store,
    dispose: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A Redis client for tests (BullMQ-ready: maxRetriesPerRequest null). */
export function testRedis(): Redis {
  return new Redis(REDIS_URL, { maxRetriesPerRequest: null });
}

/** Deletes every key under a prefix. */
export const deletePrefix = deleteKeys;

/** One request the receiver got. */
export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  json: unknown;
}

/** A local HTTP receiver. */
export interface TestReceiver {
  url: string;
  requests: Received[];
  /** Stops listening (connections are refused) until `up()`. */
  down(): Promise<void>;
  /** Listens again on the same port. */
  up(): Promise<void>;
  /** Resolves once `n` requests arrived; rejects after `timeoutMs` (default 20000). */
  waitFor(n: number, timeoutMs?: number): Promise<Received[]>;
  close(): Promise<void>;
}

/** Starts a receiver on 127.0.0.1:0 answering 200 to every POST. */
export async function startReceiver(): Promise<TestReceiver> {
  const requests: Received[] = [];
  const make = (): Server =>
    createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        let json: unknown = null;
        try {
          json = JSON.parse(body);
        } catch {
          json = null;
        }
        requests.push({ path: req.url ?? '', headers: req.headers, body, json });
        res.writeHead(200).end('ok');
      });
    });
  const listen = (s: Server, port: number): Promise<number> => new Promise((resolve) => s.listen(port, '127.0.0.1', () => resolve((s.address() as AddressInfo).port)));
  let server = make();
  const port = await listen(server, 0);
  const close = (s: Server): Promise<void> =>
    new Promise((resolve) => {
      s.closeAllConnections();
      s.close(() => resolve());
    });
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    down: () => close(server),
    up: async () => {
      server = make();
      await listen(server, port);
    },
    waitFor: async (n, timeoutMs = 20_000) => {
      const deadline = performance.now() + timeoutMs;
      while (requests.length < n) {
        if (performance.now() > deadline) throw new Error(`receiver got ${requests.length} requests, expected ${n}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      return requests;
    },
    close: () => close(server),
  };
}

/** Rules from an inline object as a rule file would hold them; throws on any problem. */
export function inlineRules(rules: unknown[], file = 'inline.yaml'): Rule[] {
  const out = validateRuleFile(file, { rules });
  if (out.problems.length > 0) throw new Error(JSON.stringify(out.problems));
  return out.rules;
}

/** Resolves with `check`'s first defined result; rejects after `timeoutMs` (default 20000). */
export const eventually = <T>(check: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> => poll(check, 'a condition', timeoutMs, 100);

/**
 * The API's real /metrics registry over fixed rows (a stub MetricsSource: the seam between the registry and
 * ClickHouse), for the metric names it registers and a /metrics body in Switchyard's exact format.
 */
export async function switchyardMetrics(now: number): Promise<{ names: Set<string>; exposition: string }> {
  const { createMetricsRegistry } = await import('../metrics/registry');
  const updatedAt = new Date(now).toISOString();
  const families: Record<string, unknown[]> = {
    'metrics-retries': [{ topic: 'payments.retry', n: '12' }],
    'metrics-dead-letters': [{ topic: 'payments.dlq', n: '3' }],
    'metrics-delivery': [{ idx: 8, n: '90', total: 50_000 }, { idx: 11, n: '10', total: 30_000 }],
    'metrics-inference-latency': [{ model: 'eta', model_version: '1', idx: 3, n: '100', total: 0.2 }],
    'metrics-inference-error': [{ model: 'eta', model_version: '1', mae: 4 }],
    'metrics-cost': [{ usd: 0.02, orders: '100' }],
  };
  const registry = createMetricsRegistry({
    source: {
      groups: async () => [{ group: 'payments', status: 'OK', lagMessages: 10, lagSeconds: 120, topics: ['orders'], partitions: 4, reason: '', updatedAt }],
      lag: async () => [{ group: 'payments', topic: 'orders', partitions: [0], lag_messages: [10], lag_seconds: [120] }],
      queues: async () => [{ queue: 'notifications', counts: { waiting: 5, active: 1, failed: 2 }, updatedAt }],
      drift: async () => [{ model: 'eta', version: '1', feature: 'distanceKm', psi: 0.04 }],
      family: <T>(name: string) => async () => (families[name] ?? []) as T[],
      cumulative: <T>(name: string) => async () => (families[name] ?? []) as T[],
    },
    logger: quietLogger,
    now: () => now,
    collectorHealth: () => [{ collector: 'lag', up: true, errors: 0 }],
  });
  const names = new Set<string>();
  for (const m of registry.getMetricsAsArray()) {
    const { name } = m as unknown as { name: string };
    names.add(name);
    if ((await (m as unknown as { get(): Promise<{ type: string }> }).get()).type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(name + s);
  }
  return { names, exposition: await registry.metrics() };
}
