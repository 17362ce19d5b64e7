/**
 * Order intake: validates an order as an OrderCreated payload, records it in the order book and publishes it to
 * `orders`, keyed by its order id. Framework-free: the HTTP route in routes.ts only maps input and errors.
 */
import { SpanKind } from '@opentelemetry/api';
import { v7 as uuidv7 } from 'uuid';
import { ContractError, TOPICS, makeEvent, type EventData } from '@switchyard/contracts';
import { tracerFor, withSpan } from '@switchyard/telemetry/tracing';
import { saveOrder, type OrderRecord, type PipelineContext } from './context';

/** The answer to an accepted order. */
export interface Accepted {
  orderId: string;
  eventId: string;
  /** The trace of the order, for the console's order page. */
  traceId: string;
  poisoned: boolean;
}

/** Countries whose currency is the euro (for the billing/shipping mismatch signal). */
const EURO = new Set(['AT', 'BE', 'DE', 'ES', 'FI', 'FR', 'GR', 'IE', 'IT', 'LU', 'NL', 'PT']);
const CURRENCY_COUNTRY: Record<string, (country: string) => boolean> = {
  USD: (c) => c === 'US',
  EUR: (c) => EURO.has(c),
  GBP: (c) => c === 'GB',
  CAD: (c) => c === 'CA',
};

/** True when the shipping address does not fit the paying card's currency, or the order ships to several places. */
export function addressMismatch(order: EventData<'OrderCreated'>): boolean {
  const fits = CURRENCY_COUNTRY[order.orderCurrency];
  const country = order.shipTo[0]!.address.country;
  return order.shipTo.length > 1 || (fits ? !fits(country) : false);
}

/** A stable pseudo-location per postal code, around a city centre (the simulation has no geocoder). */
export function locate(zipCode: string): { lat: number; lon: number } {
  let h = 2166136261;
  for (const ch of zipCode) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
  return { lat: Math.round((40.7 + ((h & 0xffff) / 0xffff - 0.5) * 0.2) * 1e6) / 1e6, lon: Math.round((-74 + ((h >>> 16) / 0xffff - 0.5) * 0.2) * 1e6) / 1e6 };
}

/**
 * Accepts an order. `body` is an OrderCreated payload; `orderId` may be omitted (one is assigned). Throws
 * ContractError (with field path, expected and got) when the order is invalid; nothing is published then.
 */
export async function acceptOrder(ctx: PipelineContext, body: unknown): Promise<Accepted> {
  const input = (typeof body === 'object' && body !== null ? { ...(body as Record<string, unknown>) } : body) as Record<string, unknown>;
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ContractError('CONTRACT_INVALID_PAYLOAD', 'OrderCreated: the body must be a JSON object with the order', []);
  }
  input.orderId ??= `ord-${uuidv7().replace(/-/g, '').slice(-20)}`;
  const poisoned = ctx.random() < ctx.faults.get().poisonRate;
  if (poisoned && typeof input.cartId === 'string') input.cartId = `poison-${input.cartId}`.slice(0, 64);
  const orderId = String(input.orderId);
  return withSpan(
    tracerFor('intake'),
    'POST /orders',
    { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'POST', 'http.route': '/orders', 'order.id': orderId } },
    async (span) => {
      const now = ctx.clock.now();
      const event = makeEvent('OrderCreated', input as EventData<'OrderCreated'>, { orderId, source: 'intake', now });
      const order = event.data;
      const record: OrderRecord = {
        orderId,
        customerId: order.customerId ?? null,
        total: order.orderTotal,
        currency: order.orderCurrency,
        items: order.items.reduce((n, i) => n + i.quantity, 0),
        addressMismatch: addressMismatch(order),
        dest: locate(order.shipTo[0]!.address.zipCode),
        distanceKm: 3,
        createdAt: now,
      };
      await saveOrder(ctx, record);
      await ctx.bus.publish(ctx.topic(TOPICS.orders), event);
      return { orderId, eventId: event.id, traceId: span.spanContext().traceId, poisoned };
    },
  );
}
