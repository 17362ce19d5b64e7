/**
 * Dispatch: each ready order becomes a driver-assignment job on the BullMQ queue `dispatch` (attempts with
 * exponential backoff: when no driver is free the job fails and BullMQ retries it). Once assigned, the driver's
 * phone sends GPS pings: a chain of delayed jobs on `driver-pings`, each publishing DriverLocationUpdated.
 */
import { GROUPS, QUEUES, TOPICS } from '@switchyard/contracts';
import { emit, loadOrder } from '../context';
import { enqueue, startTracedWorker } from '../jobs';
import { MS_PER_SIM_MINUTE } from './kitchen';
import { all, startStage, type Service } from './stage';

/** Pings per ride; the last one is at the door. */
export const PINGS_PER_RIDE = 3;
/** Share of assignment attempts that find no free driver. */
const NO_DRIVER_RATE = 0.1;
const VEHICLES = ['bike', 'scooter', 'car'] as const;

/** No driver is free near the kitchen; BullMQ retries the job with backoff. */
export class NoDriverAvailableError extends Error {
  readonly code = 'NO_DRIVER_AVAILABLE';
  readonly retriable = true;
  constructor() {
    super('no driver available within 5 km of the kitchen');
    this.name = 'NoDriverAvailableError';
  }
}

interface Assignment {
  prepMinutes: number;
}
interface Ping {
  driverId: string;
  step: number;
  speedKmh: number;
}

/** Where the driver is after `step` of {@link PINGS_PER_RIDE} steps, on a straight line to the customer. */
export function positionAt(dest: { lat: number; lon: number }, distanceKm: number, step: number): { lat: number; lon: number } {
  const remaining = distanceKm * (1 - step / PINGS_PER_RIDE);
  // Start due south of the customer; 1 degree of latitude is ~111 km.
  return { lat: Math.round((dest.lat - remaining / 111) * 1e6) / 1e6, lon: dest.lon };
}

export const dispatch: Service = {
  name: 'dispatch',
  start: async (ctx) => {
    const assignQueue = ctx.queue(QUEUES.dispatch);
    const pingQueue = ctx.queue('driver-pings');
    const pingDelay = (): number => Math.round(2 * MS_PER_SIM_MINUTE * ctx.faults.get().timeScale);

    const assigner = await startTracedWorker<Assignment>({
      ctx,
      queue: assignQueue.name,
      service: 'dispatch',
      concurrency: 16,
      process: async (job) => {
        if (ctx.random() < NO_DRIVER_RATE) throw new NoDriverAvailableError();
        const order = await loadOrder(ctx, job.data.orderId);
        const driverId = `drv-${Math.floor(ctx.random() * 5000)}`;
        const vehicle = VEHICLES[Math.floor(ctx.random() * VEHICLES.length)]!;
        const cause = { id: job.data.causationId, correlationId: job.data.correlationId ?? job.data.causationId, orderId: job.data.orderId };
        const assigned = await emit(ctx, { cause, source: 'dispatch' }, 'DriverAssigned', { driverId, vehicle, distanceKm: order.distanceKm }, TOPICS.dispatch);
        await enqueue<Ping>(
          pingQueue,
          'dispatch',
          { orderId: job.data.orderId, causationId: assigned.id, correlationId: assigned.correlationId, payload: { driverId, step: 1, speedKmh: vehicle === 'bike' ? 16 : 28 } },
          { jobId: `${assigned.id}:ping:1`, delay: pingDelay(), removeOnComplete: 1000, removeOnFail: false },
        );
      },
    });

    const pinger = await startTracedWorker<Ping>({
      ctx,
      queue: pingQueue.name,
      service: 'dispatch',
      concurrency: 32,
      process: async (job) => {
        const { driverId, step, speedKmh } = job.data.payload;
        const order = await loadOrder(ctx, job.data.orderId);
        const assignedId = job.data.causationId;
        const cause = { id: assignedId, correlationId: job.data.correlationId ?? assignedId, orderId: job.data.orderId };
        const pos = positionAt(order.dest, order.distanceKm, step);
        await emit(ctx, { cause, source: 'driver-app' }, 'DriverLocationUpdated', { driverId, lat: pos.lat, lon: pos.lon, speedKmh }, TOPICS.delivery);
        if (step < PINGS_PER_RIDE) {
          await enqueue<Ping>(
            pingQueue,
            'dispatch',
            { orderId: job.data.orderId, causationId: assignedId, correlationId: cause.correlationId, payload: { driverId, step: step + 1, speedKmh } },
            { jobId: `${assignedId}:ping:${step + 1}`, delay: pingDelay(), removeOnComplete: 1000, removeOnFail: false },
          );
        }
      },
    });

    const stage = await startStage(ctx, {
      service: 'dispatch',
      group: GROUPS.dispatch,
      topics: [TOPICS.kitchen],
      types: ['OrderReady'],
      handle: async (event) => {
        if (event.type !== 'OrderReady') return;
        await enqueue<Assignment>(
          assignQueue,
          'dispatch',
          { orderId: event.orderId, causationId: event.id, correlationId: event.correlationId, payload: { prepMinutes: event.data.prepMinutes } },
          { attempts: 6, backoff: { type: 'exponential', delay: 100 }, removeOnComplete: 1000, removeOnFail: false },
        );
      },
    });
    return all([assigner, pinger, stage]);
  },
};
