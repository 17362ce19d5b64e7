/**
 * Payment: scores the order with the fraud model, then asks a simulated card provider to authorise it. The
 * provider has latency, declines at the configured rate (and always above a fraud score of 0.9), and can be down
 * (a retriable error: the message goes through the retry topic, then the DLQ if the outage lasts).
 *
 * The simulated world also decides whether the order really is fraud (drawn from `fraudPosterior`, the fraud
 * world the model was trained on, never from the model's score). That truth surfaces later, as it would: a
 * delayed job on `fraud-outcomes` publishes FraudLabelled after the dispute window (a charge-back or a settled
 * payment; for a declined order, the review's verdict). The inference collector judges the fraud model by it.
 */
import { GROUPS, TOPICS, type EventData } from '@switchyard/contracts';
import { emit, loadOrder } from '../context';
import { sleep } from '../faults';
import { enqueue, startTracedWorker } from '../jobs';
import { fraudPosterior } from '../models/synthetic';
import { MS_PER_SIM_MINUTE } from './kitchen';
import { all, startStage, type Service } from './stage';

/** Queue of the delayed fraud outcomes. */
export const FRAUD_OUTCOMES_QUEUE = 'fraud-outcomes';
/** Simulated minutes between the payment decision and its fraud outcome (3 s at timeScale 1). */
export const DISPUTE_WINDOW_SIM_MINUTES = 30;

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

/** The labelled outcome of a payment decision, once the truth is known. */
export function fraudOutcome(isFraud: boolean, authorized: boolean): EventData<'FraudLabelled'> {
  const outcome = authorized ? (isFraud ? 'chargeback' : 'settled') : isFraud ? 'confirmed_fraud' : 'cleared';
  return { isFraud, outcome };
}

export const payment: Service = {
  name: 'payment',
  start: async (ctx) => {
    const outcomes = ctx.queue(FRAUD_OUTCOMES_QUEUE);
    const labeller = await startTracedWorker<EventData<'FraudLabelled'>>({
      queue: outcomes.name,
      service: 'payment',
      ctx,
      process: async (job) => {
        const cause = { id: job.data.causationId, correlationId: job.data.correlationId ?? job.data.causationId, orderId: job.data.orderId };
        await emit(ctx, { cause, source: 'payment' }, 'FraudLabelled', job.data.payload, TOPICS.payments);
      },
    });

    const stage = await startStage(ctx, {
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
        const scored = await emit(ctx, from, 'FraudScored', {
          score: fraud.score,
          model: fraud.model,
          modelVersion: fraud.modelVersion,
          features,
          latencyMs: fraud.latencyMs,
        }, TOPICS.payments);
        const isFraud = ctx.random() < fraudPosterior({ ...features, hour });

        await sleep((10 + ctx.random() * 30) * faults.timeScale);
        if (faults.paymentOutage) throw new ProviderUnavailableError();
        const declined = fraud.score > 0.9 || ctx.random() < faults.paymentDeclineRate;
        if (declined) {
          const [code, reason] = fraud.score > 0.9 ? (['fraud_suspected', 'declined: fraud score above 0.9'] as const) : DECLINES[Math.floor(ctx.random() * DECLINES.length)]!;
          await emit(ctx, from, 'PaymentDeclined', { code, reason }, TOPICS.payments);
        } else {
          await emit(ctx, from, 'PaymentAuthorized', {
            authorizationId: `auth-${event.id.slice(-12)}`,
            amount: order.total,
            currency: order.currency,
            provider: 'card-sim',
          }, TOPICS.payments);
        }
        // One outcome per payment decision: the job id is the handled event's, so a redelivery adds nothing.
        await enqueue(
          outcomes,
          'payment',
          { orderId: event.orderId, causationId: scored.id, correlationId: scored.correlationId, payload: fraudOutcome(isFraud, !declined) },
          { jobId: `${event.id}-fraud-outcome`, delay: Math.round(DISPUTE_WINDOW_SIM_MINUTES * MS_PER_SIM_MINUTE * faults.timeScale), removeOnComplete: 1000, removeOnFail: false },
        );
      },
    });
    return all([labeller, stage]);
  },
};
