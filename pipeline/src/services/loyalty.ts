/**
 * Loyalty: credits one point per whole currency unit of a delivered order. The credit is guarded by the order id
 * in the same Redis script as the increment, so a duplicated delivery (or a replay, or a crash between credit
 * and commit) never credits twice.
 *
 * The LoyaltyPointsUpdated that announces a credit is kept under the same guard once published. A delivery seen
 * again after a credit (the service stopped between the credit and its offset commit, and the group re-read it)
 * publishes that same event again, same id, which consumers drop as a duplicate; it used to publish nothing, so a
 * restart in that window lost the announcement of a credit that had happened.
 */
import type { Redis } from 'ioredis';
import { GROUPS, TOPICS, type Envelope } from '@switchyard/contracts';
import { emit, loadOrder } from '../context';
import { startStage, type Service } from './stage';

const APPLIED_TTL_S = 7 * 86_400;

const appliedKey = (prefix: string, orderId: string): string => `${prefix}loyalty:applied:${orderId}`;

/**
 * Credits `points` to a customer once per order. Returns the balance, whether this call credited, and, when an
 * earlier call did, the event that announced it (null if that call stopped before publishing it).
 */
export async function creditOnce(
  ctx: { redis: Redis; prefix: string },
  customerId: string,
  orderId: string,
  points: number,
): Promise<{ credited: boolean; balance: number; announced: Envelope | null }> {
  const script = `
    if redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[2]) then
      return {1, redis.call('INCRBY', KEYS[2], ARGV[1]), false}
    end
    return {0, tonumber(redis.call('GET', KEYS[2]) or '0'), redis.call('GET', KEYS[1])}`;
  const [credited, balance, stored] = (await ctx.redis.eval(script, 2, appliedKey(ctx.prefix, orderId), `${ctx.prefix}loyalty:balance:${customerId}`, points, APPLIED_TTL_S)) as [number, number, string | null];
  const announced = typeof stored === 'string' && stored !== '1' ? (JSON.parse(stored) as Envelope) : null;
  return { credited: credited === 1, balance: Number(balance), announced };
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
        const { balance, announced } = await creditOnce(ctx, order.customerId, event.orderId, points);
        if (announced) {
          await ctx.bus.publish(ctx.topic(TOPICS.loyalty), announced);
          return;
        }
        // Credited now, or credited by a call that stopped before announcing it: announce it, then keep the event.
        const update = await emit(ctx, { message, cause: event, source: 'loyalty' }, 'LoyaltyPointsUpdated', { customerId: order.customerId, pointsDelta: points, balance }, TOPICS.loyalty);
        await ctx.redis.set(appliedKey(ctx.prefix, event.orderId), JSON.stringify(update), 'KEEPTTL');
      },
    }),
};
