/**
 * Payment and fraud, on the `payments` topic: FraudScored, PaymentAuthorized, PaymentDeclined, FraudLabelled.
 *
 * PaymentAuthorized v1 carried the amount in minor units (`amountCents`); v2 carries `amount` in major units like
 * every other amount in the pipeline. FraudScored v1 gave the score as an integer percentage; v2 as a probability.
 */
import { z } from 'zod';
import { TOPICS } from '../topics';
import { Currency, Id, LatencyMs, minorUnits, ModelVersion, Slug, text } from './common';
import { defineEvent, upgradeStep } from './define';

/** An authorized amount in major units; three decimals allowed for currencies such as KWD. */
const Amount = z.number().nonnegative().max(10_000_000).multipleOf(0.001);

/** PaymentAuthorized v2 (current). */
export const PaymentAuthorizedV2 = z.strictObject({
  authorizationId: Id,
  amount: Amount,
  currency: Currency,
  /** Payment provider, e.g. `stripe`, `adyen`, `simulated`. */
  provider: Slug,
});

/** PaymentAuthorized v1: the amount in minor units. */
export const PaymentAuthorizedV1 = z.strictObject({
  authorizationId: Id,
  amountCents: z.number().int().nonnegative().max(10_000_000_000),
  currency: Currency,
  provider: Slug,
});

/** Why a payment was declined, as providers classify it. */
export const DeclineCode = z.enum([
  'insufficient_funds',
  'card_declined',
  'expired_card',
  'incorrect_cvc',
  'fraud_suspected',
  'processing_error',
  'provider_unavailable',
]);

/** PaymentDeclined v1. */
export const PaymentDeclinedV1 = z.strictObject({
  /** A sentence for the operator, e.g. "card issuer declined: do not honor". */
  reason: text(200),
  code: DeclineCode,
});

/** What the fraud model saw. */
export const FraudFeatures = z.strictObject({
  /** Order total in major units. */
  amount: z.number().nonnegative().max(10_000_000),
  /** Number of order lines. */
  items: z.number().int().min(0).max(1_000),
  /** Whether the delivery address differs from the billing address. */
  addressMismatch: z.boolean(),
});

/** FraudScored v2 (current): `score` is the probability of fraud. */
export const FraudScoredV2 = z.strictObject({
  score: z.number().min(0).max(1),
  model: Slug,
  modelVersion: ModelVersion,
  features: FraudFeatures,
  latencyMs: LatencyMs,
});

/** FraudScored v1: `score` as an integer percentage. */
export const FraudScoredV1 = FraudScoredV2.extend({ score: z.number().int().min(0).max(100) });

/** How the truth about an order's fraud became known. */
export const FraudOutcome = z.enum([
  /** The card holder disputed an authorised payment: fraud. */
  'chargeback',
  /** An authorised payment outlived the dispute window: not fraud. */
  'settled',
  /** A declined order that review confirmed as fraud. */
  'confirmed_fraud',
  /** A declined order that review cleared: not fraud (a false alarm). */
  'cleared',
]);

/**
 * FraudLabelled v1: the labelled outcome of an order's fraud, known some time after it was scored. What fraud
 * models are judged against (precision and recall of FraudScored).
 */
export const FraudLabelledV1 = z.strictObject({
  isFraud: z.boolean(),
  outcome: FraudOutcome,
});

/** PaymentAuthorized, on the `payments` topic. */
export const PaymentAuthorized = defineEvent({
  topic: TOPICS.payments,
  current: 2,
  schema: PaymentAuthorizedV2,
  older: {
    1: {
      schema: PaymentAuthorizedV1,
      upgrade: upgradeStep(PaymentAuthorizedV1, PaymentAuthorizedV2, ({ amountCents, ...rest }) => ({
        ...rest,
        amount: amountCents / 10 ** minorUnits(rest.currency),
      })),
    },
  },
});

/** PaymentDeclined, on the `payments` topic. */
export const PaymentDeclined = defineEvent({ topic: TOPICS.payments, current: 1, schema: PaymentDeclinedV1 });

/** FraudScored, on the `payments` topic. */
export const FraudScored = defineEvent({
  topic: TOPICS.payments,
  current: 2,
  schema: FraudScoredV2,
  older: {
    1: {
      schema: FraudScoredV1,
      upgrade: upgradeStep(FraudScoredV1, FraudScoredV2, (d) => ({ ...d, score: d.score / 100 })),
    },
  },
});

/** FraudLabelled, on the `payments` topic. */
export const FraudLabelled = defineEvent({ topic: TOPICS.payments, current: 1, schema: FraudLabelledV1 });
