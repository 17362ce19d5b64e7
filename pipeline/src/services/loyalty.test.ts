// The loyalty credit guard against real Redis: one credit per order, and the announcement kept with it.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { deleteKeys } from '@switchyard/bus/testing';
import { makeEvent } from '@switchyard/contracts';
import { creditOnce } from './loyalty';

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const prefix = `t-${randomUUID().slice(0, 8)}:`;
afterAll(async () => {
  await deleteKeys(redis, prefix);
  redis.disconnect();
});

describe('creditOnce', () => {
  it('credits once, and a later call gets the announcement the first one kept', async () => {
    const ctx = { redis, prefix };
    const first = await creditOnce(ctx, 'cust-1', 'ord-1', 40);
    expect(first).toEqual({ credited: true, balance: 40, announced: null });
    // Stopped before announcing: the credit stands, nothing to re-announce yet.
    expect(await creditOnce(ctx, 'cust-1', 'ord-1', 40)).toEqual({ credited: false, balance: 40, announced: null });
    const update = makeEvent('LoyaltyPointsUpdated', { customerId: 'cust-1', pointsDelta: 40, balance: 40 }, { orderId: 'ord-1', source: 'loyalty' });
    await redis.set(`${prefix}loyalty:applied:ord-1`, JSON.stringify(update), 'KEEPTTL');
    const again = await creditOnce(ctx, 'cust-1', 'ord-1', 40);
    expect(again.credited).toBe(false);
    expect(again.balance).toBe(40);
    expect(again.announced?.id).toBe(update.id);
    expect(await redis.ttl(`${prefix}loyalty:applied:ord-1`)).toBeGreaterThan(0);
  });
});
