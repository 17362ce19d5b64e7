/**
 * Customer-facing effects: CustomerNotified (topic `notifications`) and LoyaltyPointsUpdated (topic `loyalty`).
 *
 * CustomerNotified v1 knew only SMS and push and called the provider's id `messageId`; v2 adds email and names
 * it `providerMessageId`.
 */
import { z } from 'zod';
import { TOPICS } from '../topics';
import { Id, Slug, text } from './common';
import { defineEvent, upgradeStep } from './define';

/** How a customer was reached. */
export const Channel = z.enum(['sms', 'push', 'email']);

/** CustomerNotified v2 (current). */
export const CustomerNotifiedV2 = z.strictObject({
  channel: Channel,
  /** Message template, e.g. `order_confirmed`, `driver_arriving`. */
  template: Slug,
  /** The id the SMS/push/email provider gave the message. */
  providerMessageId: text(128),
});

/** CustomerNotified v1: no email channel; the provider's id was `messageId`. */
export const CustomerNotifiedV1 = z.strictObject({
  channel: z.enum(['sms', 'push']),
  template: Slug,
  messageId: text(128),
});

/** LoyaltyPointsUpdated v1. */
export const LoyaltyPointsUpdatedV1 = z.strictObject({
  customerId: Id,
  /** Points added (positive) or taken back (negative). */
  pointsDelta: z.number().int().min(-1_000_000).max(1_000_000),
  /** Balance after the change. */
  balance: z.number().int().min(0).max(1_000_000_000),
});

/** CustomerNotified, on the `notifications` topic. */
export const CustomerNotified = defineEvent({
  topic: TOPICS.notifications,
  current: 2,
  schema: CustomerNotifiedV2,
  older: {
    1: {
      schema: CustomerNotifiedV1,
      upgrade: upgradeStep(CustomerNotifiedV1, CustomerNotifiedV2, ({ messageId, ...rest }) => ({
        ...rest,
        providerMessageId: messageId,
      })),
    },
  },
});

/** LoyaltyPointsUpdated, on the `loyalty` topic. */
export const LoyaltyPointsUpdated = defineEvent({ topic: TOPICS.loyalty, current: 1, schema: LoyaltyPointsUpdatedV1 });
