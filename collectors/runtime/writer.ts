/**
 * The batching writer between a collector and the Store: rows go into a bounded buffer and leave in batches, by
 * size (rows or bytes) or by time, one insert in flight at a time. A failed insert keeps its rows buffered and is
 * retried with exponential backoff; when the buffer fills, `add` says `backpressure` and takes only what fits, so
 * the caller slows its source down instead of losing rows. `onFlushed` reports each batch once it is durable,
 * in insert order: the tap commits Kafka offsets from it.
 *
 * Rows are dropped in one case only, counted and logged: `shutdown()` could not write them before its deadline.
 * Non-retriable insert errors (a bad table, a bad row) are retried too, at the capped backoff, and logged as
 * errors: the rows are kept for an operator to fix the cause rather than silently thrown away.
 */
import type { Store, StoreError } from '@switchyard/store';
import { systemClock, type Clock } from '@switchyard/telemetry/clock';
import type { Logger } from '@switchyard/telemetry/log';

/** Options of {@link createBatchWriter}. */
export interface BatchWriterOptions<Row> {
  /** Where rows go (only `insert` is used). */
  store: Pick<Store, 'insert'>;
  /** Target table. */
  table: string;
  /** Most rows per insert (default 5000). */
  maxRows?: number;
  /** Most bytes per insert, as estimated by `sizeOf` (default 8 MiB). */
  maxBytes?: number;
  /** A buffered row waits at most this long before a flush starts (default 500 ms). */
  flushIntervalMs?: number;
  /** Buffer capacity in rows; `add` answers `backpressure` beyond it (default 100000). */
  maxBufferedRows?: number;
  /** Retry backoff after a failed insert: attempt n waits min(maxMs, baseMs * 2^(n-1)) (default 100 / 10000 ms). */
  retry?: { baseMs?: number; maxMs?: number };
  /** How long `shutdown()` keeps trying to write what is left before dropping it (default 10000 ms). */
  shutdownTimeoutMs?: number;
  /** Size estimate of a row in bytes (default: length of its JSON). */
  sizeOf?: (row: Row) => number;
  clock?: Clock;
  logger?: Logger;
  /** Called with each batch once the store has it, in order; awaited before the next batch is written. */
  onFlushed?: (rows: readonly Row[]) => void | Promise<void>;
}

/** Outcome of {@link BatchWriter.add}: how many of the offered rows were taken (always a prefix). */
export type AddResult =
  | { status: 'accepted'; accepted: number }
  /** The buffer is full: rows from index `accepted` on were NOT taken; offer them again later. */
  | { status: 'backpressure'; accepted: number }
  /** The writer is shut down: nothing was taken. */
  | { status: 'closed'; accepted: 0 };

/** Counters of a writer. */
export interface BatchWriterStats {
  /** Rows the store confirmed. */
  written: number;
  /** Row attempts that failed and were (or will be) retried. */
  retried: number;
  /** Rows given up at shutdown. */
  dropped: number;
  /** Rows waiting in the buffer (including an insert in flight). */
  buffered: number;
  /** Inserts that failed. */
  failedFlushes: number;
  /** The last insert error, until an insert succeeds. */
  lastError: StoreError | null;
  /** Clock time of the last successful insert (0 before the first). */
  lastFlushAt: number;
}

/** A running batch writer. */
export interface BatchWriter<Row> {
  add(rows: readonly Row[]): AddResult;
  /** Writes everything buffered now; resolves when written or when an insert failed (a retry is then scheduled). */
  flush(): Promise<void>;
  /** True from 80% of `maxBufferedRows` until the buffer drains below 50%: the caller should pause its source. */
  pressure(): boolean;
  /** Resolves once `pressure()` is false (at once if it already is). */
  whenRelieved(): Promise<void>;
  stats(): BatchWriterStats;
  /** Stops the timers, writes what is left (retrying until `shutdownTimeoutMs`), drops and counts the rest. */
  shutdown(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms).unref());

/** Creates a batch writer. */
export function createBatchWriter<Row extends Record<string, unknown>>(opts: BatchWriterOptions<Row>): BatchWriter<Row> {
  const maxRows = opts.maxRows ?? 5000;
  const maxBytes = opts.maxBytes ?? 8 * 1024 * 1024;
  const interval = opts.flushIntervalMs ?? 500;
  const capacity = opts.maxBufferedRows ?? 100_000;
  const baseMs = opts.retry?.baseMs ?? 100;
  const maxMs = opts.retry?.maxMs ?? 10_000;
  const sizeOf = opts.sizeOf ?? ((r: Row) => JSON.stringify(r).length);
  const clock = opts.clock ?? systemClock;
  const log = opts.logger;
  const high = Math.max(1, Math.floor(capacity * 0.8));
  const low = Math.floor(capacity * 0.5);

  const rows: Row[] = [];
  const sizes: number[] = [];
  let bytes = 0;
  let inFlight: Promise<boolean> | null = null;
  let timer: NodeJS.Timeout | null = null;
  let retryTimer: NodeJS.Timeout | null = null;
  let attempt = 0;
  let closed = false;
  let underPressure = false;
  let waiters: (() => void)[] = [];
  const st = { written: 0, retried: 0, dropped: 0, failedFlushes: 0, lastError: null as StoreError | null, lastFlushAt: 0 };

  const updatePressure = (): void => {
    if (!underPressure && rows.length >= high) underPressure = true;
    else if (underPressure && rows.length <= low) underPressure = false;
    if (!underPressure && waiters.length) {
      const w = waiters;
      waiters = [];
      for (const fn of w) fn();
    }
  };

  /** One pass: writes batches until the buffer is empty or an insert fails. True when everything went in. */
  const writeAll = async (): Promise<boolean> => {
    while (rows.length > 0) {
      let n = 0;
      let b = 0;
      while (n < rows.length && n < maxRows && (n === 0 || b + (sizes[n] ?? 0) <= maxBytes)) b += sizes[n++] ?? 0;
      const batch = rows.slice(0, n);
      const res = await opts.store.insert(opts.table, batch);
      if (!res.ok) {
        st.failedFlushes++;
        st.retried += n;
        st.lastError = res.error;
        attempt++;
        const fields = { table: opts.table, rows: n, attempt, code: res.error.code, retriable: res.error.retriable, error: res.error };
        if (res.error.retriable) log?.warn('insert failed; rows kept for retry', fields);
        else log?.error('insert failed with a non-retriable error; rows kept, retrying at capped backoff', fields);
        return false;
      }
      attempt = 0;
      st.lastError = null;
      rows.splice(0, n);
      sizes.splice(0, n);
      bytes -= b;
      st.written += n;
      st.lastFlushAt = clock.now();
      updatePressure();
      try {
        await opts.onFlushed?.(batch);
      } catch (err) {
        log?.error('onFlushed failed', { table: opts.table, error: err });
      }
    }
    return true;
  };

  const backoff = (): number => {
    return Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  };

  const start = (): Promise<boolean> => {
    if (inFlight) return inFlight;
    if (timer) clearTimeout(timer);
    timer = null;
    inFlight = writeAll().finally(() => {
      inFlight = null;
    });
    void inFlight.then((ok) => {
      if (closed) return;
      if (!ok) {
        retryTimer ??= setTimeout(() => {
          retryTimer = null;
          void start();
        }, backoff());
        retryTimer.unref();
      } else if (rows.length) arm();
    });
    return inFlight;
  };

  const arm = (): void => {
    if (timer || retryTimer || closed) return;
    timer = setTimeout(() => {
      timer = null;
      void start();
    }, interval);
    timer.unref();
  };

  return {
    add(input) {
      if (closed) return { status: 'closed', accepted: 0 };
      const room = Math.max(0, capacity - rows.length);
      const take = Math.min(room, input.length);
      for (let i = 0; i < take; i++) {
        const r = input[i] as Row;
        const s = sizeOf(r);
        rows.push(r);
        sizes.push(s);
        bytes += s;
      }
      updatePressure();
      if ((rows.length >= maxRows || bytes >= maxBytes) && !retryTimer) void start();
      else if (take > 0) arm();
      return take < input.length ? { status: 'backpressure', accepted: take } : { status: 'accepted', accepted: take };
    },
    async flush() {
      if (inFlight) await inFlight;
      if (retryTimer) {
        clearTimeout(retryTimer);
        retryTimer = null;
      }
      await start();
    },
    pressure: () => underPressure,
    whenRelieved: () => (underPressure ? new Promise<void>((r) => waiters.push(r)) : Promise.resolve()),
    stats: () => ({ ...st, buffered: rows.length }),
    async shutdown() {
      if (closed) return;
      closed = true;
      if (timer) clearTimeout(timer);
      if (retryTimer) clearTimeout(retryTimer);
      timer = retryTimer = null;
      const deadline = performance.now() + (opts.shutdownTimeoutMs ?? 10_000);
      if (inFlight) await inFlight;
      while (rows.length && performance.now() < deadline) {
        if (await start()) break;
        await sleep(Math.min(backoff(), Math.max(0, deadline - performance.now())));
      }
      if (rows.length) {
        st.dropped += rows.length;
        log?.error('shutdown could not write buffered rows; dropping them', { table: opts.table, rows: rows.length, error: st.lastError });
        rows.length = 0;
        sizes.length = 0;
        bytes = 0;
      }
      underPressure = false;
      updatePressure();
    },
  };
}
