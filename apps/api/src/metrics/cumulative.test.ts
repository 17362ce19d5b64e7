// The /metrics counters over `events` read only what was tapped since their last read, against a real embedded
// store: they count what is stored at first, grow by each window, and never go down when old rows disappear.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '@switchyard/store/types';
import { manualClock } from '@switchyard/telemetry/clock';
import { openTestStore } from '../alerting/testkit';
import { sql } from '../queries/index';
import { CUMULATIVE_SETTLE_MS, cumulative } from './source';

let store: Store;
let dispose: () => Promise<void>;
beforeAll(async () => {
  ({ store, dispose } = await openTestStore());
});
afterAll(async () => dispose());

let offset = 0;
const retryRow = (topic: string, tappedAt: number) => ({
  topic, partition: 0, offset: offset++, key: 'o', event_id: `e${offset}`, type: 'OrderCreated', version: 1, order_id: 'o', trace_id: '', span_id: '',
  causation_id: '', correlation_id: '', source: 's', bytes: 10, produced_at: new Date(tappedAt - 1000), tapped_at: new Date(tappedAt), headers: {},
  payload: '{}', is_retry: true, is_dlq: false, replay_id: '', redrive_id: '',
});

describe('cumulative /metrics counters', () => {
  it('count what is stored, then add only each new window, and never go down', async () => {
    const clock = manualClock(Date.now() - 3_600_000);
    const t0 = clock.now();
    const read = cumulative<{ topic: string; n: number | string }>((p) => store.query(sql('metrics-retries'), p), { key: (r) => r.topic, sum: ['n'] }, clock);
    const counts = async (): Promise<Record<string, number>> => Object.fromEntries((await read()).map((r) => [r.topic, Number(r.n)]));

    expect((await store.insert('events', [retryRow('pay.retry', t0 - 60_000), retryRow('pay.retry', t0 - 50_000), retryRow('inv.retry', t0 - 40_000)])).ok).toBe(true);
    expect(await counts()).toEqual({ 'pay.retry': 2, 'inv.retry': 1 });

    // A row tapped inside the settle time is left for the next window, not lost.
    expect((await store.insert('events', [retryRow('pay.retry', t0 - CUMULATIVE_SETTLE_MS / 2), retryRow('pay.retry', t0 + 5_000)])).ok).toBe(true);
    expect(await counts()).toEqual({ 'pay.retry': 2, 'inv.retry': 1 });
    clock.advance(CUMULATIVE_SETTLE_MS + 10_000);
    expect(await counts()).toEqual({ 'pay.retry': 4, 'inv.retry': 1 });

    // Retention drops the old rows: a counter does not go down.
    await store.command('ALTER TABLE events DELETE WHERE tapped_at < {t:DateTime64(3, \'UTC\')} SETTINGS mutations_sync = 1', { t: new Date(t0 - 30_000) });
    clock.advance(30_000);
    expect(await counts()).toEqual({ 'pay.retry': 4, 'inv.retry': 1 });

    // Concurrent reads do not count one window twice.
    expect((await store.insert('events', [retryRow('inv.retry', clock.now())])).ok).toBe(true);
    clock.advance(CUMULATIVE_SETTLE_MS + 1000);
    const [a, b] = await Promise.all([read(), read()]);
    expect(a.find((r) => r.topic === 'inv.retry')?.n).toBe(2);
    expect(b.find((r) => r.topic === 'inv.retry')?.n).toBe(2);
  });

  it('uses the tapped_at skip index for a window (migration 0060)', async () => {
    const plan = await store.query<{ explain: string }>(
      `EXPLAIN indexes = 1 SELECT count() FROM events WHERE tapped_at > {a:DateTime64(3, 'UTC')} AND tapped_at <= {b:DateTime64(3, 'UTC')}`,
      { a: new Date(Date.now() - 60_000), b: new Date() },
    );
    expect(plan.map((r) => r.explain).join('\n')).toContain('idx_tapped_at');
  });
});
