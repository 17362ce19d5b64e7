/**
 * The pipeline runtime of one process: the bus, Redis connections, fault knobs, models, the services this process
 * runs (all of them embedded, or one per process), intake and the load generator.
 */
import { Queue, type ConnectionOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { createBus, keyPrefix, subscriberFor, type KafkaBus } from '@switchyard/bus';
import type { Config } from '@switchyard/config';
import { prefixed } from '@switchyard/config';
import { EtaModel, FraudModel } from '@switchyard/ml';
import type { Clock } from '@switchyard/telemetry/clock';
import type { Logger } from '@switchyard/telemetry/log';
import { initTracing } from '@switchyard/telemetry/tracing';
import type { PipelineContext } from './context';
import { FaultKnobs } from './faults';
import { acceptOrder, type Accepted } from './intake';
import { LoadGenerator, type LoadStatus } from './load';
import { dispatch } from './services/dispatch';
import { eta } from './services/eta';
import { inventory } from './services/inventory';
import { kitchen } from './services/kitchen';
import { loyalty } from './services/loyalty';
import { notifier } from './services/notifier';
import { payment } from './services/payment';
import type { Running, Service } from './services/stage';
import { tracking } from './services/tracking';

/** Every service, in stage order. */
export const SERVICES: readonly Service[] = [inventory, payment, eta, kitchen, dispatch, tracking, notifier, loyalty];
/** Names accepted by `SWITCHYARD_SERVICES` (plus `intake`, which is the HTTP route). */
export const SERVICE_NAMES = ['intake', ...SERVICES.map((s) => s.name)] as const;

/** Options of {@link startPipeline}. */
export interface PipelineOptions {
  config: Config;
  kafkaBrokers: string[];
  redisUrl: string;
  clock: Clock;
  logger: Logger;
  /** Services to run (default: `config.services`, and all when that is empty). */
  services?: readonly string[];
  /** Randomness for the simulations (default Math.random). */
  random?: () => number;
}

/** A running pipeline. */
export interface PipelineRuntime {
  readonly ctx: PipelineContext;
  readonly bus: KafkaBus;
  readonly faults: FaultKnobs;
  readonly load: LoadGenerator;
  /** Names of the services running here. */
  readonly services: string[];
  accept(body: unknown): Promise<Accepted>;
  status(): { services: string[]; load: LoadStatus; bus: ReturnType<KafkaBus['stats']> };
  stop(): Promise<void>;
}

/** Unknown service names in `SWITCHYARD_SERVICES`. */
export class UnknownServiceError extends Error {
  readonly code = 'UNKNOWN_SERVICE';
  readonly retriable = false;
  constructor(names: string[]) {
    super(`unknown pipeline service(s) ${names.join(', ')} in SWITCHYARD_SERVICES; known: ${SERVICE_NAMES.join(', ')}`);
    this.name = 'UnknownServiceError';
  }
}

/** Starts the pipeline services of this process. */
export async function startPipeline(opts: PipelineOptions): Promise<PipelineRuntime> {
  const wanted = opts.services ?? opts.config.services;
  const unknown = wanted.filter((n) => !(SERVICE_NAMES as readonly string[]).includes(n));
  if (unknown.length > 0) throw new UnknownServiceError(unknown);
  const selected = wanted.length === 0 ? SERVICES : SERVICES.filter((s) => wanted.includes(s.name));

  // First caller wins: the launcher initialises tracing with the trace collector's exporter before this runs; a
  // process of its own exports over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set. Spans exist either way, so trace
  // context always propagates.
  initTracing({ serviceName: 'pipeline', otlpEndpoint: opts.config.otlpEndpoint || undefined });
  // Auto-pipelining: the commands every stage issues in one turn of the event loop go out in one socket write.
  const redis = new Redis(opts.redisUrl, { maxRetriesPerRequest: 3, enableAutoPipelining: true });
  const subscriber = subscriberFor(redis);
  const url = new URL(opts.redisUrl);
  const connection: ConnectionOptions = {
    host: url.hostname,
    port: Number(url.port || 6379),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(url.pathname.length > 1 ? { db: Number(url.pathname.slice(1)) } : {}),
    maxRetriesPerRequest: null,
  };
  const bus = createBus({ brokers: opts.kafkaBrokers, clientId: `${opts.config.kafkaClientId}-pipeline`, redis, config: opts.config, clock: opts.clock, logger: opts.logger.child('bus'), tracerService: 'pipeline' });
  const prefix = keyPrefix(opts.config);
  const faults = new FaultKnobs(redis, prefix, opts.logger.child('faults'));
  await faults.start();
  const queues = new Map<string, Queue>();
  const ctx: PipelineContext = {
    bus,
    redis,
    subscriber,
    connection,
    faults,
    models: { eta: EtaModel.load(), fraud: FraudModel.load() },
    prefix,
    topic: (name) => prefixed(opts.config, name),
    queue: (name) => {
      const physical = prefixed(opts.config, name);
      let q = queues.get(physical);
      if (!q) {
        q = new Queue(physical, { connection });
        queues.set(physical, q);
      }
      return q;
    },
    clock: opts.clock,
    logger: opts.logger,
    random: opts.random ?? Math.random,
  };
  // Services start side by side: each consumer group's first join waits for the broker's rebalance delay.
  const started = await Promise.allSettled(
    selected.map(async (s) => {
      const r = await s.start({ ...ctx, logger: opts.logger.child(s.name) });
      opts.logger.info('pipeline service started', { service: s.name });
      return r;
    }),
  );
  const running: Running[] = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failure = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) {
    for (const r of running.reverse()) await r.stop().catch(() => undefined);
    throw failure.reason;
  }
  const load = new LoadGenerator((order) => acceptOrder(ctx, order), opts.logger.child('load'), opts.clock.now);
  return {
    ctx,
    bus,
    faults,
    load,
    services: selected.map((s) => s.name),
    accept: (body) => acceptOrder(ctx, body),
    status: () => ({ services: selected.map((s) => s.name), load: load.status(), bus: bus.stats() }),
    stop: async () => {
      load.stop();
      faults.stop();
      for (const r of [...running].reverse()) await r.stop();
      for (const q of queues.values()) await q.close();
      await bus.close();
      subscriber.disconnect();
      await redis.quit();
    },
  };
}
