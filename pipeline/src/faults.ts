/**
 * Fault knobs: how the reference pipeline misbehaves on demand. The knobs live in Redis (one JSON value plus a
 * pub/sub notice) so that every pipeline process, embedded or separate, sees the same setting within a second.
 */
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Logger } from '@switchyard/telemetry/log';

const rate = z.number().min(0).max(1);
const ms = z.number().int().min(0).max(600_000);

/** Every fault knob, with its default (all off). */
export const FaultsSchema = z
  .object({
    /** Share of payments the provider declines (0..1). Default 0.03. */
    paymentDeclineRate: rate.default(0.03),
    /** The payment provider answers nothing: every authorisation fails with a retriable error. Default false. */
    paymentOutage: z.boolean().default(false),
    /** The notification provider fails every send: jobs retry, then sit in the failed set. Default false. */
    notificationOutage: z.boolean().default(false),
    /** Share of new orders that carry a poison marker no consumer can process (retries, then the DLQ). Default 0. */
    poisonRate: rate.default(0),
    /** Share of events that are published twice (a duplicated delivery). Default 0. */
    duplicateRate: rate.default(0),
    /** Extra processing time per message, per service name (`inventory`, `payment`, ...). Default none. */
    slowMs: z.record(z.string(), ms).default({}),
    /**
     * Multiplier on the simulated real-world delays (kitchen preparation, driving, GPS pings). 1 is a
     * compressed but visible pace (an order takes ~10 s); 0 removes them (benchmarks). Default 1.
     */
    timeScale: z.number().min(0).max(100).default(1),
  })
  .strict();

/** The fault knobs in force. */
export type Faults = z.output<typeof FaultsSchema>;
/** A partial change to the knobs, as sent to `PUT /pipeline/faults`. */
export const FaultsPatchSchema = FaultsSchema.partial().strict();
export type FaultsPatch = z.input<typeof FaultsPatchSchema>;

/** The knobs with every fault off. */
export const DEFAULT_FAULTS: Faults = FaultsSchema.parse({});

/** Reads and writes the shared knobs; keeps a local copy fresh by pub/sub and by polling. */
export class FaultKnobs {
  private current: Faults = DEFAULT_FAULTS;
  private timer: NodeJS.Timeout | undefined;
  private readonly key: string;
  private readonly channel: string;

  /**
   * @param redis a connection for reads and writes
   * @param prefix key prefix (the topic prefix of the configuration)
   * @param pollMs how often the local copy is refreshed (default 500 ms)
   */
  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly logger: Logger,
    private readonly pollMs = 500,
  ) {
    this.key = `${prefix}pipeline:faults`;
    this.channel = `${prefix}pipeline:faults:changed`;
  }

  /** The knobs as last seen. */
  get(): Faults {
    return this.current;
  }

  /** Loads the knobs and keeps them fresh until {@link stop}. */
  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => {
      this.refresh().catch((err: unknown) => this.logger.warn('fault knobs refresh failed', { err }));
    }, this.pollMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Applies a change and returns the knobs now in force. */
  async update(patch: FaultsPatch): Promise<Faults> {
    const change = FaultsPatchSchema.parse(patch);
    const next = FaultsSchema.parse({ ...(await this.read()), ...change });
    await this.redis.set(this.key, JSON.stringify(next));
    await this.redis.publish(this.channel, '1');
    this.current = next;
    return next;
  }

  /** Turns every fault off. */
  async reset(): Promise<Faults> {
    await this.redis.del(this.key);
    this.current = DEFAULT_FAULTS;
    return DEFAULT_FAULTS;
  }

  private async read(): Promise<Faults> {
    const raw = await this.redis.get(this.key);
    if (!raw) return DEFAULT_FAULTS;
    const parsed = FaultsSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : DEFAULT_FAULTS;
  }

  private async refresh(): Promise<void> {
    this.current = await this.read();
  }
}

/** Waits `ms` (scaled), resolving at once for 0. */
export function sleep(ms: number): Promise<void> {
  return ms <= 0 ? Promise.resolve() : new Promise((r) => setTimeout(r, ms));
}
