/**
 * @switchyard/contracts: the event envelope, the versioned payload schemas of every event of the reference
 * pipeline, and topic and queue names. Imports zod and uuid only.
 */
export { EnvelopeSchema, newEnvelope } from './envelope';
export type { Envelope, NewEnvelope } from './envelope';
export { GROUPS, QUEUES, TOPICS } from './topics';
export type { TopicName } from './topics';
export { ContractError, describeValue, formatPath } from './errors';
export type { ContractErrorCode, ContractIssue } from './errors';
export { EVENTS, EVENT_TYPES, decodeEvent, isEventType, makeEvent, topicOf } from './registry';
export type { AnyEvent, DecodeResult, EventData, EventType, MakeEventOptions } from './registry';
export type { EventDefinition, Upgrade } from './events/define';
export { sampleOrder, seededRng } from './sample';
export type { Rng, SampleOrderOptions } from './sample';
export { Currency, Id, Instant, Money, minorUnits, roundCents, toCents } from './events/common';
export { Address, AddressKind, OrderCreatedV1, OrderCreatedV2, OrderItem, PhoneKind, ShipmentCarrier } from './events/order';
export { InventoryReservedV1, InventoryShortageV1, OrderReadyV1 } from './events/fulfilment';
export {
  DeclineCode,
  FraudFeatures,
  FraudLabelledV1,
  FraudOutcome,
  FraudScoredV1,
  FraudScoredV2,
  PaymentAuthorizedV1,
  PaymentAuthorizedV2,
  PaymentDeclinedV1,
} from './events/payment';
export { EtaFeatures, EtaPredictedV1, EtaPredictedV2, Weather } from './events/eta';
export {
  DeliveryEtaUpdatedV1,
  DriverArrivedV1,
  DriverAssignedV1,
  DriverLocationUpdatedV1,
  DriverLocationUpdatedV2,
  OrderDeliveredV1,
  Vehicle,
} from './events/delivery';
export { Channel, CustomerNotifiedV1, CustomerNotifiedV2, LoyaltyPointsUpdatedV1 } from './events/customer';
