import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createEmbeddedStore, StoreError, type Store, type WriteResult } from '@switchyard/store';
import { createBatchWriter } from './writer';

const dataDir = mkdtempSync(join(tmpdir(), 'sy-writer-'));
let store: Store;
let n = 0;

beforeAll(async () => {
  store = await createEmbeddedStore({ dataDir, database: 'writer_test' });
});
afterAll(async () => {
  await store.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function table(): Promise<string> {
  const name = `w_${++n}`;
  await store.command(`CREATE TABLE ${name} (id UInt32, v String) ENGINE = MergeTree ORDER BY id`);
  return name;
}
const count = async (t: string): Promise<number> => Number((await store.query<{ c: string }>(`SELECT count() AS c FROM ${t}`))[0]?.c);
type R = { id: number; v: string };
const rowsOf = (from: number, to: number): R[] => Array.from({ length: to - from }, (_, i) => ({ id: from + i, v: `v${from + i}` }));

/** A seam we own: the real store, failing inserts while `down` is true. */
function flaky(real: Store): Store & { down: boolean; failures: number } {
  const f = {
    ...real,
    down: true,
    failures: 0,
    async insert(t: string, rows: readonly Record<string, unknown>[]): Promise<WriteResult> {
      if (f.down) {
        f.failures++;
        return { ok: false, error: new StoreError('connection refused (test)', 'NETWORK', true) };
      }
      return real.insert(t, rows);
    },
  };
  return f;
}

describe('createBatchWriter', () => {
  it('flushes by size in batches of maxRows, reporting each durable batch in order', async () => {
    const t = await table();
    const seen: number[][] = [];
    const w = createBatchWriter<R>({ store, table: t, maxRows: 100, flushIntervalMs: 60_000, onFlushed: (b) => void seen.push(b.map((r) => r.id)) });
    expect(w.add(rowsOf(0, 250))).toEqual({ status: 'accepted', accepted: 250 });
    await vi.waitFor(() => expect(w.stats().written).toBe(250));
    expect(seen.map((b) => b.length)).toEqual([100, 100, 50]);
    expect(seen.flat()).toEqual(rowsOf(0, 250).map((r) => r.id));
    expect(await count(t)).toBe(250);
    await w.shutdown();
  });

  it('flushes by bytes', async () => {
    const t = await table();
    const batches: number[] = [];
    const w = createBatchWriter({ store, table: t, maxBytes: 1000, sizeOf: () => 100, flushIntervalMs: 60_000, onFlushed: (b) => void batches.push(b.length) });
    w.add(rowsOf(0, 25));
    await vi.waitFor(() => expect(w.stats().written).toBe(25));
    expect(batches).toEqual([10, 10, 5]);
    await w.shutdown();
  });

  it('flushes a small batch by time', async () => {
    const t = await table();
    const w = createBatchWriter({ store, table: t, flushIntervalMs: 50 });
    w.add(rowsOf(0, 3));
    expect(w.stats()).toMatchObject({ buffered: 3, written: 0 });
    await vi.waitFor(() => expect(w.stats().written).toBe(3));
    expect(await count(t)).toBe(3);
    await w.shutdown();
  });

  it('keeps rows through failed inserts, retries with backoff, and writes each row once', async () => {
    const t = await table();
    const s = flaky(store);
    const durable: number[] = [];
    const w = createBatchWriter<R>({ store: s, table: t, flushIntervalMs: 10, retry: { baseMs: 10, maxMs: 40 }, onFlushed: (b) => void durable.push(...b.map((r) => r.id)) });
    w.add(rowsOf(0, 40));
    await vi.waitFor(() => expect(s.failures).toBeGreaterThanOrEqual(3));
    expect(w.stats()).toMatchObject({ written: 0, buffered: 40 });
    expect(w.stats().lastError?.code).toBe('NETWORK');
    expect(durable).toEqual([]);
    s.down = false;
    await vi.waitFor(() => expect(w.stats().written).toBe(40));
    const st = w.stats();
    expect(st.failedFlushes).toBe(s.failures);
    expect(st.retried).toBe(40 * s.failures);
    expect(st.dropped).toBe(0);
    expect(durable).toEqual(rowsOf(0, 40).map((r) => r.id));
    expect(await count(t)).toBe(40);
    await w.shutdown();
  });

  it('answers backpressure when full, takes only what fits, and relieves once drained', async () => {
    const t = await table();
    const s = flaky(store);
    const w = createBatchWriter({ store: s, table: t, maxBufferedRows: 10, flushIntervalMs: 10, retry: { baseMs: 10, maxMs: 20 } });
    expect(w.add(rowsOf(0, 7))).toEqual({ status: 'accepted', accepted: 7 });
    expect(w.pressure()).toBe(false);
    expect(w.add(rowsOf(7, 15))).toEqual({ status: 'backpressure', accepted: 3 });
    expect(w.pressure()).toBe(true);
    expect(w.add(rowsOf(10, 15))).toEqual({ status: 'backpressure', accepted: 0 });
    const relieved = w.whenRelieved();
    s.down = false;
    await relieved;
    expect(w.pressure()).toBe(false);
    expect(w.add(rowsOf(10, 15))).toEqual({ status: 'accepted', accepted: 5 });
    await w.flush();
    expect(await count(t)).toBe(15);
    expect(w.stats()).toMatchObject({ written: 15, dropped: 0, buffered: 0 });
    await w.shutdown();
  });

  it('drops and counts only what shutdown cannot write before its deadline', async () => {
    const t = await table();
    const s = flaky(store);
    const w = createBatchWriter({ store: s, table: t, flushIntervalMs: 10, shutdownTimeoutMs: 100, retry: { baseMs: 10, maxMs: 20 } });
    w.add(rowsOf(0, 5));
    await w.shutdown();
    expect(w.stats()).toMatchObject({ written: 0, dropped: 5, buffered: 0 });
    expect(w.add(rowsOf(5, 6))).toEqual({ status: 'closed', accepted: 0 });
  });

  it('writes what is buffered on shutdown when the store is up', async () => {
    const t = await table();
    const w = createBatchWriter({ store, table: t, flushIntervalMs: 60_000 });
    w.add(rowsOf(0, 9));
    await w.shutdown();
    expect(await count(t)).toBe(9);
    expect(w.stats()).toMatchObject({ written: 9, dropped: 0 });
  });
});
