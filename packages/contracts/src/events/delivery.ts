/**
 * Dispatch and delivery: DriverAssigned (topic `dispatch`); DriverLocationUpdated, DeliveryEtaUpdated,
 * DriverArrived and OrderDelivered (topic `delivery`).
 *
 * DriverLocationUpdated v1 nested the position (`position.lat`, `position.lng`) and reported speed in m/s;
 * v2 is flat with `lat`, `lon` and `speedKmh`.
 */
import { z } from 'zod';
import { TOPICS } from '../topics';
import { Id, Instant, Lat, Lon } from './common';
import { defineEvent, upgradeStep } from './define';

/** What a driver drives. */
export const Vehicle = z.enum(['bike', 'scooter', 'car', 'van']);

const Km = z.number().nonnegative().max(500);
const Minutes = z.number().nonnegative().max(1_440);

/** DriverAssigned v1. */
export const DriverAssignedV1 = z.strictObject({
  driverId: Id,
  vehicle: Vehicle,
  /** Distance from the driver to the kitchen when assigned. */
  distanceKm: Km,
});

/** DriverLocationUpdated v2 (current). */
export const DriverLocationUpdatedV2 = z.strictObject({
  driverId: Id,
  lat: Lat,
  lon: Lon,
  speedKmh: z.number().nonnegative().max(300),
});

/** DriverLocationUpdated v1: nested position, speed in metres per second. */
export const DriverLocationUpdatedV1 = z.strictObject({
  driverId: Id,
  position: z.strictObject({ lat: Lat, lng: Lon }),
  speedMps: z.number().nonnegative().max(83),
});

/** DeliveryEtaUpdated v1: the driver's live estimate. */
export const DeliveryEtaUpdatedV1 = z.strictObject({
  etaMinutes: Minutes,
  remainingKm: Km,
  driverId: Id.optional(),
});

/** DriverArrived v1: the driver is at the customer's door. */
export const DriverArrivedV1 = z.strictObject({ driverId: Id });

/** OrderDelivered v1. */
export const OrderDeliveredV1 = z.strictObject({
  deliveredAt: Instant,
  /** Minutes from OrderCreated to delivery: the truth the ETA model is judged against. */
  actualMinutes: Minutes,
  driverId: Id,
});

/** DriverAssigned, on the `dispatch` topic. */
export const DriverAssigned = defineEvent({ topic: TOPICS.dispatch, current: 1, schema: DriverAssignedV1 });

/** DriverLocationUpdated, on the `delivery` topic. */
export const DriverLocationUpdated = defineEvent({
  topic: TOPICS.delivery,
  current: 2,
  schema: DriverLocationUpdatedV2,
  older: {
    1: {
      schema: DriverLocationUpdatedV1,
      upgrade: upgradeStep(DriverLocationUpdatedV1, DriverLocationUpdatedV2, (d) => ({
        driverId: d.driverId,
        lat: d.position.lat,
        lon: d.position.lng,
        speedKmh: Math.round(d.speedMps * 36) / 10,
      })),
    },
  },
});

/** DeliveryEtaUpdated, on the `delivery` topic. */
export const DeliveryEtaUpdated = defineEvent({ topic: TOPICS.delivery, current: 1, schema: DeliveryEtaUpdatedV1 });
/** DriverArrived, on the `delivery` topic. */
export const DriverArrived = defineEvent({ topic: TOPICS.delivery, current: 1, schema: DriverArrivedV1 });
/** OrderDelivered, on the `delivery` topic. */
export const OrderDelivered = defineEvent({ topic: TOPICS.delivery, current: 1, schema: OrderDeliveredV1 });
