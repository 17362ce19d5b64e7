// The evaluator lease against real Redis: of two evaluators sharing a prefix only one evaluates; it hands over when
// the holder stops; fences grow with every holder.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import type { Store } from '@switchyard/store/types';
import { manualClock } from '@switchyard/telemetry/clock';
import { Evaluator } from './evaluator';
import { Lease } from './lease';
import { deletePrefix, inlineRules, openTestStore, quietLogger, testRedis } from './testkit';

let store: Store;
let dispose: () => Promise<void>;
let redis: Redis;
beforeAll(async () => {
  ({ store, dispose } = await openTestStore());
  redis = testRedis();
});
afterAll(async () => {
  await dispose();
  redis.disconnect();
});

it('lets one evaluator evaluate at a time, and hands over when it stops', async () => {
  const prefix = `t-${randomUUID()}:`;
  const rules = inlineRules([{ name: `Always_${randomUUID().slice(0, 8)}`.replace(/-/g, '_'), sql: "SELECT 'x' AS k, 1 AS value", severity: 'info', annotations: { summary: 's' } }]);
  const clock = manualClock(Date.now());
  const make = (owner: string) => new Evaluator({ store, redis, rules, clock, logger: quietLogger, redisPrefix: prefix, owner, leaseTtlMs: 60_000 });
  const a = make('a');
  const b = make('b');
  try {
    const rounds: string[] = [];
    for (let i = 0; i < 5; i++) {
      const [ra, rb] = await Promise.all([a.tick(), b.tick()]);
      rounds.push(`${ra.evaluated ? 'a' : ''}${rb.evaluated ? 'b' : ''}`);
    }
    expect(new Set(rounds).size).toBe(1);
    expect(['a', 'b']).toContain(rounds[0]);
    const [leader, other] = rounds[0] === 'a' ? [a, b] : [b, a];
    const fence = (await leader.tick()).fence;
    await leader.stop();
    const next = await other.tick();
    expect(next.evaluated).toBe(true);
    expect(next.fence).toBeGreaterThan(fence);
    // The new holder restored the firing alert from alert_history instead of firing it anew.
    expect(next.transitions).toEqual([]);
    expect(other.active().map((x) => x.state)).toEqual(['firing']);
    expect((await leader.tick()).evaluated).toBe(false);
  } finally {
    await a.stop();
    await b.stop();
    await deletePrefix(redis, prefix);
  }
});

it('renews only its own lease and fences each acquisition higher', async () => {
  const key = `t-${randomUUID()}:lease`;
  const one = new Lease(redis, { key, owner: 'one', ttlMs: 60_000 });
  const two = new Lease(redis, { key, owner: 'two', ttlMs: 60_000 });
  try {
    const f1 = await one.acquire();
    expect(f1).toBeGreaterThan(0);
    expect(await two.acquire()).toBe(0);
    expect(await one.acquire()).toBe(f1);
    await two.release(); // not its lease: no effect
    expect(await two.acquire()).toBe(0);
    await one.release();
    expect(await two.acquire()).toBeGreaterThan(f1);
  } finally {
    await deletePrefix(redis, key);
  }
});
