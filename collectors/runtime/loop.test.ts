import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { manualClock } from '@switchyard/telemetry/clock';
import { createLogger } from '@switchyard/telemetry/log';
import { createPeriodicLoop, LoopTimeoutError } from './loop';

const quiet = createLogger('loop.test', () => {});

/** A run whose completion the test controls. */
function gate(): { promise: Promise<void>; open(): void; fail(err: Error): void } {
  let open!: () => void;
  let fail!: (err: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    open = res;
    fail = rej;
  });
  return { promise, open, fail };
}

describe('createPeriodicLoop', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs at start and then every interval', async () => {
    let runs = 0;
    const loop = createPeriodicLoop({ name: 't', intervalMs: 1000, timeoutMs: 500, run: async () => void runs++, onError: () => {}, logger: quiet });
    loop.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(runs).toBe(1);
    await vi.advanceTimersByTimeAsync(3000);
    expect(runs).toBe(4);
    await loop.stop();
    await vi.advanceTimersByTimeAsync(5000);
    expect(runs).toBe(4);
    expect(loop.stats()).toMatchObject({ runs: 4, errors: 0, skipped: 0 });
  });

  it('keeps one run in flight and counts skipped ticks', async () => {
    const g = gate();
    let started = 0;
    const loop = createPeriodicLoop({
      name: 't', intervalMs: 100, timeoutMs: 10_000, onError: () => {}, logger: quiet,
      run: () => {
        started++;
        return g.promise;
      },
    });
    loop.start();
    await vi.advanceTimersByTimeAsync(350);
    expect(started).toBe(1);
    expect(loop.stats().skipped).toBe(3);
    // runNow joins the run in flight rather than starting another.
    const joined = loop.runNow();
    expect(started).toBe(1);
    g.open();
    await joined;
    await vi.advanceTimersByTimeAsync(100);
    expect(started).toBe(2);
    await loop.stop();
  });

  it('aborts a run past its timeout and reports a LoopTimeoutError', async () => {
    const errors: unknown[] = [];
    let signalSeen: AbortSignal | undefined;
    const loop = createPeriodicLoop({
      name: 'slow', intervalMs: 10_000, timeoutMs: 200, logger: quiet,
      onError: (err) => errors.push(err),
      run: (signal) => {
        signalSeen = signal;
        return new Promise<void>(() => {}); // never settles and ignores the signal
      },
    });
    const p = loop.runNow();
    await vi.advanceTimersByTimeAsync(200);
    await p;
    expect(signalSeen?.aborted).toBe(true);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(LoopTimeoutError);
    expect(loop.stats()).toMatchObject({ runs: 1, errors: 1, timeouts: 1 });
    // The loop is free again: the next run starts.
    let ran = false;
    const loop2 = createPeriodicLoop({ name: 'x', intervalMs: 1, timeoutMs: 1, run: async () => void (ran = true), onError: () => {}, logger: quiet });
    await loop2.runNow();
    expect(ran).toBe(true);
  });

  it('counts errors, survives a throwing handler, and records timing from the clock', async () => {
    const clock = manualClock(1_000);
    const lines: string[] = [];
    let n = 0;
    const loop = createPeriodicLoop({
      name: 'bad', intervalMs: 1000, timeoutMs: 500, clock, logger: createLogger('t', (l) => lines.push(l)),
      onError: () => {
        throw new Error('handler bug');
      },
      run: async () => {
        n++;
        clock.advance(40);
        if (n === 1) throw new Error('boom');
        if (n === 2) throw 'not an error';
      },
    });
    await loop.runNow();
    await loop.runNow();
    expect(loop.stats()).toMatchObject({ runs: 2, errors: 2, lastRunAt: 1_040, lastDurationMs: 40, lastError: 'not an error' });
    expect(lines.filter((l) => l.includes('error handler threw'))).toHaveLength(2);
    await loop.runNow();
    expect(loop.stats()).toMatchObject({ runs: 3, errors: 2, lastError: null });
  });

  it('a synchronous throw from run is reported, not thrown', async () => {
    const errors: unknown[] = [];
    const loop = createPeriodicLoop({
      name: 'sync', intervalMs: 1000, timeoutMs: 500, logger: quiet, onError: (e) => errors.push(e),
      run: () => {
        throw new Error('sync');
      },
    });
    await expect(loop.runNow()).resolves.toBeUndefined();
    expect((errors[0] as Error).message).toBe('sync');
  });

  it('stop waits for the run in flight', async () => {
    const g = gate();
    let finished = false;
    const loop = createPeriodicLoop({
      name: 't', intervalMs: 100, timeoutMs: 10_000, onError: () => {}, logger: quiet,
      run: async () => {
        await g.promise;
        finished = true;
      },
    });
    loop.start();
    await vi.advanceTimersByTimeAsync(0);
    let stopped = false;
    const s = loop.stop().then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(50);
    expect(stopped).toBe(false);
    g.open();
    await s;
    expect(finished).toBe(true);
  });

  it('unrefs its timers', () => {
    const loop = createPeriodicLoop({ name: 't', intervalMs: 100, timeoutMs: 50, run: async () => {}, onError: () => {}, logger: quiet });
    const spy = vi.spyOn(globalThis, 'setInterval');
    loop.start();
    const handle = spy.mock.results[0]?.value as NodeJS.Timeout;
    expect(handle.hasRef()).toBe(false);
    spy.mockRestore();
    void loop.stop();
  });
});
