/**
 * The load generator: realistic orders at a steady rate, a ramp, or a flash-sale burst. It always stops by itself
 * (a duration is required, at most an hour) and sends only through the given `send` function (in-process intake,
 * or HTTP to a loopback address from the command line).
 */
import { z } from 'zod';
import { sampleOrder, type EventData } from '@switchyard/contracts';
import type { Logger } from '@switchyard/telemetry/log';

/** A load profile. Rates are orders per second. */
export const LoadProfileSchema = z.discriminatedUnion('mode', [
  z.strictObject({ mode: z.literal('steady'), rate: z.number().positive().max(20_000), durationS: z.number().positive().max(3600) }),
  z.strictObject({
    mode: z.literal('ramp'),
    from: z.number().min(0).max(20_000),
    to: z.number().min(0).max(20_000),
    durationS: z.number().positive().max(3600),
  }),
  z.strictObject({
    mode: z.literal('burst'),
    /** Rate before and after the burst. */
    baseRate: z.number().min(0).max(20_000),
    /** Rate during the flash sale. */
    burstRate: z.number().positive().max(20_000),
    /** Seconds after start when the burst begins (default 5). */
    burstAfterS: z.number().min(0).max(3600).default(5),
    /** Length of the burst in seconds (default 10). */
    burstForS: z.number().positive().max(3600).default(10),
    durationS: z.number().positive().max(3600),
  }),
]);
export type LoadProfile = z.output<typeof LoadProfileSchema>;

/** The target rate at `t` seconds into a profile. */
export function rateAt(p: LoadProfile, t: number): number {
  if (t >= p.durationS) return 0;
  switch (p.mode) {
    case 'steady':
      return p.rate;
    case 'ramp':
      return p.from + ((p.to - p.from) * t) / p.durationS;
    case 'burst':
      return t >= p.burstAfterS && t < p.burstAfterS + p.burstForS ? p.burstRate : p.baseRate;
  }
}

/** What the generator did so far. */
export interface LoadStatus {
  running: boolean;
  profile: LoadProfile | null;
  startedAt: number | null;
  sent: number;
  failed: number;
  lastError: string | null;
  /** Target rate right now. */
  rate: number;
}

const TICK_MS = 100;

/** Runs one profile at a time. */
export class LoadGenerator {
  private timer: NodeJS.Timeout | undefined;
  private status_: LoadStatus = { running: false, profile: null, startedAt: null, sent: 0, failed: 0, lastError: null, rate: 0 };
  private owed = 0;
  private lastT = 0;
  private inFlight_ = 0;

  /**
   * @param send accepts one order (in-process intake, or a POST to a loopback URL)
   * @param now the clock (ms)
   * @param maxInFlight orders awaiting `send` at once; beyond it a tick sends fewer and the shortfall is counted (default 2000)
   */
  constructor(
    private readonly send: (order: EventData<'OrderCreated'>) => Promise<unknown>,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
    private readonly maxInFlight = 2000,
  ) {}

  /** Starts a profile, replacing any running one. */
  start(input: unknown): LoadStatus {
    const profile = LoadProfileSchema.parse(input);
    this.stop();
    const startedAt = this.now();
    this.status_ = { running: true, profile, startedAt, sent: 0, failed: 0, lastError: null, rate: rateAt(profile, 0) };
    this.owed = 0;
    this.lastT = 0;
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
    this.logger.info('load started', { ...profile });
    return this.status();
  }

  /** Stops the running profile, if any. */
  stop(): LoadStatus {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.status_.running = false;
    this.status_.rate = 0;
    return this.status();
  }

  status(): LoadStatus {
    return { ...this.status_ };
  }

  /** Orders handed to `send` that have not settled yet. */
  inFlight(): number {
    return this.inFlight_;
  }

  private tick(): void {
    const p = this.status_.profile;
    if (!p || this.status_.startedAt === null) return;
    // Orders owed are the profile's rate integrated over the time that really passed since the last tick (timers
    // run late under load), up to the end of the profile: a steady 20/s for 1 s offers 20 orders, not 18.
    const t = Math.min((this.now() - this.status_.startedAt) / 1000, p.durationS);
    const dt = t - this.lastT;
    this.owed += dt > 0 ? (rateAt(p, this.lastT) * dt) : 0;
    this.lastT = t;
    const finished = t >= p.durationS;
    const n = Math.floor(this.owed + (finished ? 0.5 : 1e-9));
    this.owed -= n;
    this.status_.rate = finished ? 0 : rateAt(p, t);
    if (finished) {
      this.stop();
      this.logger.info('load finished', { sent: this.status_.sent, failed: this.status_.failed });
    }
    for (let i = 0; i < n; i++) {
      if (this.inFlight_ >= this.maxInFlight) {
        this.status_.failed += n - i;
        this.status_.lastError = `more than ${this.maxInFlight} orders in flight: intake is not keeping up`;
        return;
      }
      this.inFlight_++;
      this.send(sampleOrder())
        .then(() => {
          this.status_.sent++;
        })
        .catch((err: unknown) => {
          this.status_.failed++;
          this.status_.lastError = err instanceof Error ? err.message : String(err);
        })
        .finally(() => {
          this.inFlight_--;
        });
    }
  }
}
