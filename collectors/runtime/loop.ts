/**
 * The periodic loop every collector runs on: one run in flight, each run bounded by a timeout, every error sent to
 * one handler that never throws, timers unref'd so a collector never holds the process open.
 * (Modelled on OpenTelemetry's PeriodicExportingMetricReader.)
 */
import type { Clock } from '@switchyard/telemetry/clock';
import { systemClock } from '@switchyard/telemetry/clock';
import type { Logger } from '@switchyard/telemetry/log';
import { createLogger } from '@switchyard/telemetry/log';

/** A run that did not finish within `timeoutMs`; its abort signal was fired. */
export class LoopTimeoutError extends Error {
  readonly code = 'LOOP_TIMEOUT';
  readonly retriable = true;
  constructor(readonly loop: string, readonly timeoutMs: number) {
    super(`${loop}: run did not finish within ${timeoutMs} ms`);
    this.name = 'LoopTimeoutError';
  }
}

/** Options of {@link createPeriodicLoop}. */
export interface PeriodicLoopOptions {
  /** Names the loop in logs and in errors. */
  name: string;
  /** Time between the start of one tick and the next. */
  intervalMs: number;
  /** Budget of one run; past it the run's signal is aborted and a {@link LoopTimeoutError} is reported. */
  timeoutMs: number;
  /** One unit of work. Should honour `signal`; the loop stops waiting for it once the timeout fires. */
  run: (signal: AbortSignal) => Promise<void>;
  /** Receives every error and timeout. A throw from it is caught and logged, never propagated. */
  onError: (err: unknown, name: string) => void;
  /** Clock for `lastRunAt` and durations (default the system clock). */
  clock?: Clock;
  /** Logger (default `createLogger('loop.<name>')`). */
  logger?: Logger;
}

/** Counters of a loop. */
export interface LoopStats {
  /** Runs started (ticks and runNow calls that did start a run). */
  runs: number;
  /** Runs that failed or timed out. */
  errors: number;
  /** Runs that hit the timeout (also counted in `errors`). */
  timeouts: number;
  /** Ticks skipped because a run was still in flight. */
  skipped: number;
  /** Clock time the last run started, or null before the first. */
  lastRunAt: number | null;
  /** Duration of the last finished run, or null before the first. */
  lastDurationMs: number | null;
  /** The last error, or null when the last run succeeded. */
  lastError: unknown;
}

/** A running (or stopped) loop. */
export interface PeriodicLoop {
  /** Starts ticking; the first run starts at once. Idempotent. */
  start(): void;
  /** Stops ticking and waits for the run in flight, if any, to end. */
  stop(): Promise<void>;
  /** Runs once now, or waits for the run already in flight instead of starting a second one. */
  runNow(): Promise<void>;
  /** A snapshot of the counters. */
  stats(): LoopStats;
}

/** Creates a loop; call `start()` to begin ticking. */
export function createPeriodicLoop(opts: PeriodicLoopOptions): PeriodicLoop {
  const clock = opts.clock ?? systemClock;
  const log = opts.logger ?? createLogger(`loop.${opts.name}`);
  const s: LoopStats = { runs: 0, errors: 0, timeouts: 0, skipped: 0, lastRunAt: null, lastDurationMs: null, lastError: null };
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> | undefined;
  let stopped = false;

  const report = (err: unknown): void => {
    s.errors++;
    s.lastError = err;
    try {
      opts.onError(err, opts.name);
    } catch (handlerErr) {
      log.error('error handler threw', { loop: opts.name, err: handlerErr, original: err });
    }
  };

  const once = async (): Promise<void> => {
    s.runs++;
    const started = clock.now();
    s.lastRunAt = started;
    const ac = new AbortController();
    let timeout: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timeout = setTimeout(() => resolve('timeout'), opts.timeoutMs);
      timeout.unref();
    });
    let work: Promise<'done'>;
    try {
      work = opts.run(ac.signal).then(() => 'done' as const);
    } catch (err) {
      work = Promise.reject(err);
    }
    try {
      const outcome = await Promise.race([work, timedOut]);
      if (outcome === 'timeout') {
        ac.abort(new LoopTimeoutError(opts.name, opts.timeoutMs));
        s.timeouts++;
        // A run that ignores its signal is abandoned, but its late failure must not become an unhandled rejection.
        work.catch((err: unknown) => log.debug('abandoned run failed after timeout', { loop: opts.name, err }));
        report(new LoopTimeoutError(opts.name, opts.timeoutMs));
      } else {
        s.lastError = null;
      }
    } catch (err) {
      report(err);
    } finally {
      clearTimeout(timeout);
      s.lastDurationMs = clock.now() - started;
    }
  };

  const trigger = (): Promise<void> => {
    if (inFlight) return inFlight;
    inFlight = once().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };

  const tick = (): void => {
    if (inFlight) {
      s.skipped++;
      return;
    }
    void trigger();
  };

  return {
    start() {
      if (timer || stopped) return;
      timer = setInterval(tick, opts.intervalMs);
      timer.unref();
      tick();
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      timer = undefined;
      if (inFlight) await inFlight;
    },
    runNow: trigger,
    stats: () => ({ ...s }),
  };
}

/** Options of {@link createSweepLoop}. */
export interface SweepLoopOptions {
  name: string;
  intervalMs: number;
  /** The run timeout is three intervals, and at least this. */
  minTimeoutMs: number;
  /** One sweep; a write that the store refused makes the run an error (and the loop counts it). */
  sweep: (signal: AbortSignal) => Promise<{ write: { ok: true } | { ok: false; error: unknown } }>;
  clock?: Clock;
  logger: Logger;
  /** Start ticking at once (default true). */
  autoStart?: boolean;
}

/** The loop of a collector that sweeps a source and writes what it found: errors logged once per run. */
export function createSweepLoop(opts: SweepLoopOptions): PeriodicLoop {
  const loop = createPeriodicLoop({
    name: opts.name,
    intervalMs: opts.intervalMs,
    timeoutMs: Math.max(3 * opts.intervalMs, opts.minTimeoutMs),
    clock: opts.clock,
    logger: opts.logger,
    onError: (err) => opts.logger.error(`${opts.name} sweep failed`, { err }),
    run: async (signal) => {
      const r = await opts.sweep(signal);
      if (!r.write.ok) throw r.write.error;
    },
  });
  if (opts.autoStart ?? true) loop.start();
  return loop;
}
