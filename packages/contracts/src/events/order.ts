/**
 * OrderCreated: a commerce order as it enters the pipeline.
 *
 * v1 (until 2024-03) carried the total as a decimal string in `total`, and had no carrier: every order went by
 * the own fleet. v2 made the total a number (`orderTotal`) and added `shipTo[].shipmentCarrier` when third-party
 * carriers arrived. Upgrading v1 sets the carrier to `fleet`.
 */
import { z } from 'zod';
import { TOPICS } from '../topics';
import { Currency, Id, Money, roundCents, text, toCents } from './common';
import { defineEvent, upgradeStep } from './define';

/** How a phone number is used. */
export const PhoneKind = z.enum(['mobile', 'home', 'work']);
/** What kind of place an address is. */
export const AddressKind = z.enum(['residential', 'commercial']);
/** Who carries a shipment: `fleet` is the pipeline's own drivers. */
export const ShipmentCarrier = z.enum(['fleet', 'ups', 'fedex', 'usps', 'dhl', 'dpd']);

/** A delivery address with the person to hand the order to. */
export const Address = z.strictObject({
  name: z.strictObject({ first: text(64), last: text(64) }),
  phone: z.strictObject({
    number: z.string().regex(/^\+[1-9]\d{6,14}$/, 'expected an E.164 number, e.g. +14155550123'),
    kind: PhoneKind,
  }),
  email: z.email().max(254),
  street1: text(100),
  street2: z.string().max(100).optional(),
  city: text(64),
  /** State, province or region; for countries without one, the city's region. */
  state: text(64),
  /** ISO-3166 alpha-2, e.g. `US`, `DE`. */
  country: z.string().regex(/^[A-Z]{2}$/, 'expected an ISO-3166 alpha-2 country code, e.g. US'),
  zipCode: z
    .string()
    .min(2)
    .max(12)
    .regex(/^[A-Za-z0-9][A-Za-z0-9 -]*$/, 'expected a postal code of letters, digits, spaces and dashes'),
  kind: AddressKind,
});

/** One order line; `total` is `price * quantity` rounded to cents. */
export const OrderItem = z
  .strictObject({
    itemId: Id,
    price: Money,
    quantity: z.number().int().min(1).max(99),
    total: Money,
  })
  .superRefine((item, ctx) => {
    const expected = roundCents(item.price * item.quantity);
    if (toCents(item.total) !== toCents(expected)) {
      ctx.addIssue({
        code: 'custom',
        path: ['total'],
        message: 'item total must be price * quantity rounded to cents',
        params: { expected: `${expected.toFixed(2)} (price * quantity)` },
      });
    }
  });

const Items = z.array(OrderItem).min(1).max(50);

/** OrderCreated v2 (current). */
export const OrderCreatedV2 = z
  .strictObject({
    cartId: Id,
    orderId: Id,
    /** Absent for guest checkouts; loyalty points need it. */
    customerId: Id.optional(),
    orderCurrency: Currency,
    /** Sum of `items[].total`. */
    orderTotal: Money,
    shipTo: z.array(z.strictObject({ address: Address, shipmentCarrier: ShipmentCarrier })).min(1).max(5),
    items: Items,
  })
  .superRefine((order, ctx) => {
    const sumCents = order.items.reduce((s, i) => s + toCents(i.total), 0);
    if (toCents(order.orderTotal) !== sumCents) {
      ctx.addIssue({
        code: 'custom',
        path: ['orderTotal'],
        message: 'orderTotal must be the sum of items[].total',
        params: { expected: `${(sumCents / 100).toFixed(2)} (sum of items[].total)` },
      });
    }
  });

/** OrderCreated v1: total as a decimal string, no carrier. */
export const OrderCreatedV1 = z.strictObject({
  cartId: Id,
  orderId: Id,
  customerId: Id.optional(),
  orderCurrency: Currency,
  total: z.string().regex(/^\d{1,8}(\.\d{1,2})?$/, 'expected a decimal string such as "52.97"'),
  shipTo: z.array(z.strictObject({ address: Address })).min(1).max(5),
  items: Items,
});

/** OrderCreated, on the `orders` topic. */
export const OrderCreated = defineEvent({
  topic: TOPICS.orders,
  current: 2,
  schema: OrderCreatedV2,
  older: {
    1: {
      schema: OrderCreatedV1,
      upgrade: upgradeStep(OrderCreatedV1, OrderCreatedV2, ({ total, shipTo, ...rest }) => ({
        ...rest,
        orderTotal: Number(total),
        shipTo: shipTo.map((s) => ({ address: s.address, shipmentCarrier: 'fleet' as const })),
      })),
    },
  },
});
