/**
 * Velocity of an action: a token bucket in messages per second that hands out whole batches. The batch is about
 * 50 ms of traffic (1 at 25/s, 500 at 10 000/s), so slow velocities stay smooth and fast ones send in few requests.
 */
import type { Clock } from '@switchyard/telemetry/clock';

/** Most messages per batch at any velocity. */
export const MAX_BATCH = 500;

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

/** Paces batches at `rate` messages per second (`Infinity`: as fast as the broker takes them). */
export class Pacer {
  /** Messages per batch at this rate. */
  readonly batch: number;
  /** Bucket size: two batches, so time lost to timer lateness is made up on the next batch, never more. */
  readonly #capacity: number;
  #tokens: number;
  #last: number;
  constructor(
    readonly rate: number,
    private readonly clock: Clock,
  ) {
    this.batch = Number.isFinite(rate) ? Math.max(1, Math.min(MAX_BATCH, Math.floor(rate / 20))) : MAX_BATCH;
    this.#capacity = this.batch * 2;
    this.#tokens = this.batch;
    this.#last = clock.now();
  }

  /** Waits until `n` (at most `batch`) messages may go; returns early, without a token, once `signal` aborts. */
  async take(n: number, signal?: AbortSignal): Promise<void> {
    if (!Number.isFinite(this.rate)) return;
    const want = Math.min(n, this.batch);
    for (;;) {
      const now = this.clock.now();
      this.#tokens = Math.min(this.#capacity, this.#tokens + ((now - this.#last) / 1000) * this.rate);
      this.#last = now;
      if (this.#tokens >= want) {
        this.#tokens -= want;
        return;
      }
      if (signal?.aborted) return;
      await sleep(Math.max(1, Math.ceil(((want - this.#tokens) / this.rate) * 1000)), signal);
    }
  }
}
