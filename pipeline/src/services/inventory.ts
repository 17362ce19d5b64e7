/**
 * Inventory: reserves stock for each new order, or reports a shortage. An order carrying the poison marker (a cart
 * id starting `poison-`, set by the poison-message fault) fails every time, so it retries and lands in the DLQ.
 */
import { GROUPS, TOPICS } from '@switchyard/contracts';
import { emit } from '../context';
import { startStage, type Service } from './stage';

/** Share of orders short of stock. */
const SHORTAGE_RATE = 0.01;

/** The poison marker made the order unprocessable. Retriable on purpose: it exercises the retry path fully. */
export class PoisonMessageError extends Error {
  readonly code = 'POISON_MESSAGE';
  constructor(cartId: string) {
    super(`cannot reserve stock for cart ${cartId}: warehouse rejects the cart (poison message)`);
    this.name = 'PoisonMessageError';
  }
}

export const inventory: Service = {
  name: 'inventory',
  start: (ctx) =>
    startStage(ctx, {
      service: 'inventory',
      group: GROUPS.inventory,
      topics: [TOPICS.orders],
      types: ['OrderCreated'],
      handle: async (event, message) => {
        if (event.type !== 'OrderCreated') return;
        const order = event.data;
        if (order.cartId.startsWith('poison-')) throw new PoisonMessageError(order.cartId);
        const from = { message, cause: event, source: 'inventory' };
        if (ctx.random() < SHORTAGE_RATE) {
          const first = order.items[0]!;
          await emit(ctx, from, 'InventoryShortage', {
            warehouseId: 'wh-1',
            missing: [{ itemId: first.itemId, requested: first.quantity, available: first.quantity - 1 }],
          }, TOPICS.inventory);
          return;
        }
        await emit(ctx, from, 'InventoryReserved', {
          reservationId: `res-${event.id.slice(-12)}`,
          warehouseId: 'wh-1',
          items: order.items.map((i) => ({ itemId: i.itemId, quantity: i.quantity })),
        }, TOPICS.inventory);
      },
    }),
};
