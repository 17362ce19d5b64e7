/**
 * The idempotency store against real Redis: claims guard concurrent duplicates, done marks expire, failures release.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Idempotency } from './idempotency';
import { deleteKeys, testRedis, uniquePrefix } from './testing';

const redis = testRedis();
const prefix = `sy:${uniquePrefix()}:`;

afterAll(async () => {
  await deleteKeys(redis, prefix);
  await redis.quit();
});

describe('idempotency', () => {
  it('lets one of two concurrent claims through, then reports the id as done', async () => {
    const idem = new Idempotency(redis, prefix, 'g', 60);
    const [a, b] = await Promise.all([idem.claim('e1'), idem.claim('e1')]);
    expect([a.kind, b.kind].sort()).toEqual(['claimed', 'inflight']);
    await idem.done('e1');
    expect(await idem.claim('e1')).toEqual({ kind: 'done' });
    const ttl = await redis.ttl(idem.key('e1'));
    expect(ttl).toBeGreaterThan(50);
    expect(ttl).toBeLessThanOrEqual(60);
  });

  it('releases a failed claim so the retry can claim it, but never someone else’s', async () => {
    const idem = new Idempotency(redis, prefix, 'g', 60);
    const first = await idem.claim('e2');
    if (first.kind !== 'claimed') throw new Error('expected a claim');
    await idem.release('e2', 'inflight:not-mine');
    expect((await idem.claim('e2')).kind).toBe('inflight');
    await idem.release('e2', first.token);
    expect((await idem.claim('e2')).kind).toBe('claimed');
  });

  it('keeps groups apart', async () => {
    await new Idempotency(redis, prefix, 'g1', 60).done('e3');
    expect((await new Idempotency(redis, prefix, 'g2', 60).claim('e3')).kind).toBe('claimed');
  });

  it('a dead holder’s claim lapses', async () => {
    const idem = new Idempotency(redis, prefix, 'g', 60, 100);
    expect((await idem.claim('e4')).kind).toBe('claimed');
    await new Promise((r) => setTimeout(r, 150));
    expect((await idem.claim('e4')).kind).toBe('claimed');
  });
});
