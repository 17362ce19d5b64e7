/**
 * Topic and queue names of the reference pipeline. Each topic carries one stage's events; the Kafka key is the
 * order id, so one order's events stay in order on one partition.
 */
export const TOPICS = {
  /** OrderCreated, from order intake. */
  orders: 'orders',
  /** InventoryReserved, InventoryShortage. */
  inventory: 'inventory',
  /** FraudScored, PaymentAuthorized, PaymentDeclined, and later FraudLabelled. */
  payments: 'payments',
  /** EtaPredicted. */
  eta: 'eta',
  /** OrderReady. */
  kitchen: 'kitchen',
  /** DriverAssigned. */
  dispatch: 'dispatch',
  /** DriverLocationUpdated, DeliveryEtaUpdated, DriverArrived, OrderDelivered. */
  delivery: 'delivery',
  /** CustomerNotified. */
  notifications: 'notifications',
  /** LoyaltyPointsUpdated. */
  loyalty: 'loyalty',
} as const;

export type TopicName = (typeof TOPICS)[keyof typeof TOPICS];

/** BullMQ queues of the reference pipeline. */
export const QUEUES = {
  /** Driver assignment, with attempts and backoff. */
  dispatch: 'dispatch',
  /** SMS/push sends; exhausted jobs stay in the failed set. */
  notifications: 'notifications',
} as const;

/** Consumer groups of the reference pipeline, in stage order. */
export const GROUPS = {
  inventory: 'inventory-svc',
  payment: 'payment-svc',
  eta: 'eta-svc',
  kitchen: 'kitchen-svc',
  dispatch: 'dispatch-svc',
  tracking: 'tracking-svc',
  notifier: 'notifier-svc',
  loyalty: 'loyalty-svc',
} as const;
