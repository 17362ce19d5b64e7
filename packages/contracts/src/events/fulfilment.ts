/**
 * Stock and kitchen: InventoryReserved, InventoryShortage (topic `inventory`) and OrderReady (topic `kitchen`).
 */
import { z } from 'zod';
import { TOPICS } from '../topics';
import { Id, Instant } from './common';
import { defineEvent } from './define';

const Quantity = z.number().int().min(1).max(9_999);

/** InventoryReserved v1: stock is held for the order's items. */
export const InventoryReservedV1 = z.strictObject({
  reservationId: Id,
  warehouseId: Id,
  items: z.array(z.strictObject({ itemId: Id, quantity: Quantity })).min(1).max(50),
  /** When the hold lapses unless the order is paid. */
  expiresAt: Instant.optional(),
});

/** InventoryShortage v1: some items are short; `available` is below `requested` for each. */
export const InventoryShortageV1 = z.strictObject({
  warehouseId: Id.optional(),
  missing: z
    .array(
      z
        .strictObject({ itemId: Id, requested: Quantity, available: z.number().int().min(0).max(9_999) })
        .refine((m) => m.available < m.requested, {
          path: ['available'],
          message: 'a missing item has fewer available than requested',
          params: { expected: 'fewer than requested' },
        }),
    )
    .min(1)
    .max(50),
});

/** OrderReady v1: the kitchen finished preparing the order. */
export const OrderReadyV1 = z.strictObject({
  /** Minutes from the kitchen accepting the order to ready. */
  prepMinutes: z.number().nonnegative().max(600),
  kitchenId: Id.optional(),
});

/** InventoryReserved, on the `inventory` topic. */
export const InventoryReserved = defineEvent({ topic: TOPICS.inventory, current: 1, schema: InventoryReservedV1 });
/** InventoryShortage, on the `inventory` topic. */
export const InventoryShortage = defineEvent({ topic: TOPICS.inventory, current: 1, schema: InventoryShortageV1 });
/** OrderReady, on the `kitchen` topic. */
export const OrderReady = defineEvent({ topic: TOPICS.kitchen, current: 1, schema: OrderReadyV1 });
