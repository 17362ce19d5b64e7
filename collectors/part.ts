/**
 * The collectors as a launcher part: tap, lag, queues, dlq and inference (those named in SWITCHYARD_COLLECTORS, all
 * by default), plus the in-process span exporter that writes the embedded pipeline's spans to the trace store.
 * Each collector knows its sources (Kafka, BullMQ) and the store, never another collector.
 */
import { Kafka } from 'kafkajs';
import { kafkaLogCreator } from '@switchyard/bus';
import { initTracing } from '@switchyard/telemetry/tracing';
import type { Part, PartContext } from '../apps/launcher/src/parts';
import { startDlqCollector, type DlqCollector } from './dlq/index';
import type { CollectorHealth } from './runtime/health';
import { createInferenceCollector } from './inference/index';
import { startLagCollector, type LagCollector } from './lag/index';
import { startQueueCollector, type QueueCollector } from './queues/index';
import { startTap, tapGroupId, type Tap } from './tap/index';
import { createStoreSpanExporter } from './traces/index';

/** Every collector this part can run. */
export const COLLECTOR_NAMES = ['tap', 'lag', 'queues', 'dlq', 'inference', 'traces'] as const;
export type CollectorName = (typeof COLLECTOR_NAMES)[number];

export type { CollectorHealth };

/**
 * The topics the tap reads: with a topic prefix, only that deployment's (`<prefix>.` and below), so that two
 * Switchyards sharing a broker each archive their own; without one, every topic but the broker's internal ones
 * (`__consumer_offsets`, the mock cluster's keep-alive topic), whoever produces them.
 */
export function tapTopics(topicPrefix: string): RegExp {
  if (!topicPrefix) return /^(?!__).+/;
  return new RegExp(`^${topicPrefix.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')}\\.`);
}

/** Parses a Redis URL into BullMQ connection options. */
export function redisConnection(url: string): { host: string; port: number; password?: string; db?: number } {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 6379),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.pathname.length > 1 ? { db: Number(u.pathname.slice(1)) } : {}),
  };
}

/** Unknown names in SWITCHYARD_COLLECTORS. */
export class UnknownCollectorError extends Error {
  readonly code = 'UNKNOWN_COLLECTOR';
  readonly retriable = false;
  constructor(names: string[]) {
    super(`unknown collector(s) ${names.join(', ')} in SWITCHYARD_COLLECTORS; known: ${COLLECTOR_NAMES.join(', ')}`);
    this.name = 'UnknownCollectorError';
  }
}

/** The collectors part. `health` lists each running collector's state. */
export function collectorsPart(): Part & { collectorHealth(): CollectorHealth[] } {
  let tap: Tap | undefined;
  let lag: LagCollector | undefined;
  let queues: QueueCollector | undefined;
  let dlq: DlqCollector | undefined;
  let inference: ReturnType<typeof createInferenceCollector> | undefined;
  let running: CollectorName[] = [];
  const collectorHealth = (): CollectorHealth[] => {
    const out: CollectorHealth[] = [];
    if (tap) {
      const s = tap.stats();
      out.push({ collector: 'tap', up: true, errors: Number((s as { failedFlushes?: number }).failedFlushes ?? 0) });
    }
    const loops: [string, { stats(): { errors: number; lastError: unknown } } | undefined][] = [['lag', lag], ['queues', queues], ['dlq', dlq], ['inference', inference]];
    for (const [name, c] of loops) {
      if (!c) continue;
      const s = c.stats();
      out.push({ collector: name, up: s.lastError === null, errors: s.errors, ...(s.lastError ? { detail: String((s.lastError as Error).message ?? s.lastError) } : {}) });
    }
    if (running.includes('traces')) out.push({ collector: 'traces', up: true, errors: 0 });
    return out;
  };
  return {
    name: 'collectors',
    collectorHealth,
    start: async (ctx: PartContext) => {
      const wanted = ctx.config.collectors;
      const unknown = wanted.filter((n) => n !== 'none' && !(COLLECTOR_NAMES as readonly string[]).includes(n));
      if (unknown.length > 0) throw new UnknownCollectorError(unknown);
      const on = (n: CollectorName): boolean => wanted.length === 0 || wanted.includes(n);
      if (on('traces') && !ctx.config.otlpEndpoint) {
        // First caller wins: the embedded pipeline's spans go straight to the trace store.
        initTracing({ serviceName: 'switchyard', exporter: createStoreSpanExporter(ctx.store) });
      }
      const kafka = new Kafka({ clientId: `${ctx.config.kafkaClientId}-collectors`, brokers: ctx.kafkaBrokers, logCreator: kafkaLogCreator(ctx.logger.child('kafkajs')) });
      const connection = redisConnection(ctx.redisUrl);
      const common = { store: ctx.store, clock: ctx.clock };
      const topicPrefix = ctx.config.topicPrefix;
      if (on('tap')) tap = await startTap({ ...common, kafka, topics: tapTopics(topicPrefix), topicPrefix, topicRefreshMs: 5000, sessionTimeout: 10_000, logger: ctx.logger.child('tap') });
      if (on('lag')) {
        // The reference groups come from the prefix inside the lag collector; the tap's own group is always reported.
        const groups = [...ctx.config.lagGroups, tapGroupId(topicPrefix)];
        lag = await startLagCollector({ ...common, kafka, groups, topicPrefix, intervalMs: ctx.config.lagIntervalMs, logger: ctx.logger.child('lag') });
      }
      if (on('queues')) queues = await startQueueCollector({ ...common, connection, logger: ctx.logger.child('queues') });
      if (on('dlq')) dlq = await startDlqCollector({ ...common, connection, logger: ctx.logger.child('dlq') });
      if (on('inference')) {
        inference = createInferenceCollector({ ...common, logger: ctx.logger.child('inference') });
        inference.start();
      }
      running = COLLECTOR_NAMES.filter(on);
      ctx.logger.info('collectors started', { collectors: running });
    },
    stop: async () => {
      await inference?.stop();
      await dlq?.stop();
      await queues?.stop();
      await lag?.stop();
      await tap?.stop();
    },
    health: async () => {
      const down = collectorHealth().filter((c) => !c.up);
      return down.length === 0 ? { state: 'up', detail: running.join(', ') } : { state: 'down', detail: `failing: ${down.map((c) => c.collector).join(', ')}` };
    },
  };
}
