/**
 * Parts: the pluggable pieces the launcher composes into one process (pipeline, collectors, API, ...). Each part
 * gets the resolved infrastructure in a {@link PartContext}, may add HTTP routes and a health check, and is
 * stopped in reverse order of starting.
 */
import type { Hono } from 'hono';
import type { Config } from '@switchyard/config';
import type { Store } from '@switchyard/store';
import type { Clock } from '@switchyard/telemetry/clock';
import type { Logger } from '@switchyard/telemetry/log';

/** A part's health: `up`, or `down` with the reason. */
export interface PartHealth {
  state: 'up' | 'down';
  detail?: string;
}

/** What a part gets at start. */
export interface PartContext {
  /** The whole configuration; `config.adminToken` is `SWITCHYARD_ADMIN_TOKEN` (empty: unset). */
  config: Config;
  /** Kafka bootstrap brokers (the mock cluster's or `KAFKA_BROKERS`). */
  kafkaBrokers: string[];
  /** The Redis URL to use (`REDIS_URL`, 127.0.0.1:6379, or a redis-server the launcher started). */
  redisUrl: string;
  /** ClickHouse, migrated and ready. */
  store: Store;
  clock: Clock;
  /** A logger named after the part. */
  logger: Logger;
}

/** One piece of the process. */
export interface Part {
  /** Short unique name, used in logs and as its key in /healthz. */
  name: string;
  /** Starts the part; the launcher waits for it before starting the next one. */
  start(ctx: PartContext): Promise<void>;
  /** Stops the part; called once, in reverse order of starting, within the shutdown bound. */
  stop(): Promise<void>;
  /** Reports whether the part works; /healthz bounds it with a timeout. */
  health?(): Promise<PartHealth>;
  /** Adds the part's HTTP routes; called after `start`, before the server listens. */
  routes?: (app: Hono) => void;
}

/** Creates a part; async so that a part's heavy modules load only when it is used. */
export type PartFactory = () => Part | Promise<Part>;

/** Thrown when two parts share a name. */
export class PartError extends Error {
  readonly code = 'PART_INVALID';
  readonly retriable = false;
  constructor(message: string) {
    super(message);
    this.name = 'PartError';
  }
}

/**
 * Starts the parts in order, each with its own named logger. When one fails, those already started are stopped
 * (in reverse) and the error is rethrown. Returns the started parts in start order.
 */
export async function startParts(parts: readonly Part[], ctx: Omit<PartContext, 'logger'> & { logger: Logger }, logger: Logger): Promise<Part[]> {
  const names = new Set<string>();
  for (const p of parts) {
    if (names.has(p.name)) throw new PartError(`two parts are named "${p.name}"`);
    names.add(p.name);
  }
  const started: Part[] = [];
  for (const part of parts) {
    try {
      await part.start({ ...ctx, logger: ctx.logger.child(part.name) });
      started.push(part);
      logger.info('part started', { part: part.name });
    } catch (err) {
      logger.error('part failed to start', { part: part.name, err });
      await stopParts(started, logger);
      throw err;
    }
  }
  return started;
}

/** Stops the parts in reverse order; a failing stop is logged and the others still stop. Never throws. */
export async function stopParts(started: readonly Part[], logger: Logger): Promise<void> {
  for (const part of [...started].reverse()) {
    try {
      await part.stop();
      logger.info('part stopped', { part: part.name });
    } catch (err) {
      logger.error('part failed to stop', { part: part.name, err });
    }
  }
}
