/**
 * Payment: scores the order with the fraud model, then asks a simulated card provider to authorise it. The
 * provider has latency, declines at the configured rate (and always above a fraud score of 0.9), and can be down
 * (a retriable error: the message goes through the retry topic, then the DLQ if the outage lasts).
 */
import { GROUPS, TOPICS } from '@switchyard/contracts';
import { emit, loadOrder } from '../context';
import { sleep } from '../faults';
import { startStage, type Service } from './stage';

/** The simulated provider is down. */
export class ProviderUnavailableError extends Error {
  readonly code = 'PROVIDER_UNAVAILABLE';
  readonly retriable = true;
  constructor() {
    super('payment provider unavailable: connection refused by card-sim (payment outage fault)');
    this.name = 'ProviderUnavailableError';
  }
}

const DECLINES = [
  ['insufficient_funds', 'card issuer declined: insufficient funds'],
  ['card_declined', 'card issuer declined: do not honor'],
  ['expired_card', 'card expired'],
] as const;

export const payment: Service = {
  name: 'payment',
  start: (ctx) =>
    startStage(ctx, {
      service: 'payment',
      group: GROUPS.payment,
      topics: [TOPICS.inventory],
      types: ['InventoryReserved'],
      handle: async (event, message) => {
        const faults = ctx.faults.get();
        const order = await loadOrder(ctx, event.orderId);
        const from = { message, cause: event, source: 'payment' };
        const hour = new Date(ctx.clock.now()).getUTCHours();
        const features = { amount: order.total, items: order.items, addressMismatch: order.addressMismatch };
        const fraud = ctx.models.fraud.predict({ ...features, hour });
        await emit(ctx, from, 'FraudScored', {
          score: fraud.score,
          model: fraud.model,
          modelVersion: fraud.modelVersion,
          features,
          latencyMs: fraud.latencyMs,
        }, TOPICS.payments);

        await sleep((10 + ctx.random() * 30) * faults.timeScale);
        if (faults.paymentOutage) throw new ProviderUnavailableError();
        if (fraud.score > 0.9 || ctx.random() < faults.paymentDeclineRate) {
          const [code, reason] = fraud.score > 0.9 ? (['fraud_suspected', 'declined: fraud score above 0.9'] as const) : DECLINES[Math.floor(ctx.random() * DECLINES.length)]!;
          await emit(ctx, from, 'PaymentDeclined', { code, reason }, TOPICS.payments);
          return;
        }
        await emit(ctx, from, 'PaymentAuthorized', {
          authorizationId: `auth-${event.id.slice(-12)}`,
          amount: order.total,
          currency: order.currency,
          provider: 'card-sim',
        }, TOPICS.payments);
      },
    }),
};
