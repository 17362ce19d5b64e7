/**
 * Loyalty: credits one point per whole currency unit of a delivered order. The credit is guarded by the order id
 * in the same Redis script as the increment, so a duplicated delivery (or a replay, or a crash between credit
 * and commit) never credits twice.
 */
import type { Redis } from 'ioredis';
import { GROUPS, TOPICS } from '@switchyard/contracts';
import { emit, loadOrder } from '../context';
import { startStage, type Service } from './stage';

const APPLIED_TTL_S = 7 * 86_400;

/** Credits `points` to a customer once per order; returns the balance and whether this call credited. */
export async function creditOnce(
  ctx: { redis: Redis; prefix: string },
  customerId: string,
  orderId: string,
  points: number,
): Promise<{ credited: boolean; balance: number }> {
  const script = `
    if redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[2]) then
      return {1, redis.call('INCRBY', KEYS[2], ARGV[1])}
    end
    return {0, tonumber(redis.call('GET', KEYS[2]) or '0')}`;
  const [credited, balance] = (await ctx.redis.eval(script, 2, `${ctx.prefix}loyalty:applied:${orderId}`, `${ctx.prefix}loyalty:balance:${customerId}`, points, APPLIED_TTL_S)) as [number, number];
  return { credited: credited === 1, balance: Number(balance) };
}

export const loyalty: Service = {
  name: 'loyalty',
  start: (ctx) =>
    startStage(ctx, {
      service: 'loyalty',
      group: GROUPS.loyalty,
      topics: [TOPICS.delivery],
      types: ['OrderDelivered'],
      handle: async (event, message) => {
        const order = await loadOrder(ctx, event.orderId);
        if (!order.customerId) return;
        const points = Math.floor(order.total);
        const { credited, balance } = await creditOnce(ctx, order.customerId, event.orderId, points);
        if (!credited) return;
        await emit(ctx, { message, cause: event, source: 'loyalty' }, 'LoyaltyPointsUpdated', { customerId: order.customerId, pointsDelta: points, balance }, TOPICS.loyalty);
      },
    }),
};
