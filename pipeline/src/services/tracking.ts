/**
 * Tracking: turns the driver's GPS pings into DeliveryEtaUpdated (remaining distance at the ride's speed); at the
 * door it announces DriverArrived and OrderDelivered, with the minutes the delivery really took (the simulated
 * truth the ETA model is judged against).
 */
import { GROUPS, TOPICS } from '@switchyard/contracts';
import { emit, loadOrder } from '../context';
import { startStage, type Service } from './stage';

/** Great-circle distance in km. */
export function haversineKm(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Closer than this, the driver is at the door. */
const ARRIVED_KM = 0.05;

export const tracking: Service = {
  name: 'tracking',
  start: (ctx) =>
    startStage(ctx, {
      service: 'tracking',
      group: GROUPS.tracking,
      topics: [TOPICS.delivery],
      types: ['DriverLocationUpdated'],
      handle: async (event, message) => {
        if (event.type !== 'DriverLocationUpdated') return;
        const order = await loadOrder(ctx, event.orderId);
        const from = { message, cause: event, source: 'tracking' };
        const remainingKm = Math.round(haversineKm(event.data, order.dest) * 100) / 100;
        const speed = Math.max(5, event.data.speedKmh);
        await emit(ctx, from, 'DeliveryEtaUpdated', {
          etaMinutes: Math.round((remainingKm / speed) * 600) / 10,
          remainingKm,
          driverId: event.data.driverId,
        }, TOPICS.delivery);
        if (remainingKm > ARRIVED_KM) return;
        await emit(ctx, from, 'DriverArrived', { driverId: event.data.driverId }, TOPICS.delivery);
        const now = ctx.clock.now();
        await emit(ctx, from, 'OrderDelivered', {
          deliveredAt: new Date(now).toISOString(),
          actualMinutes: order.actualMinutes ?? Math.round((now - order.createdAt) / 600) / 100,
          driverId: event.data.driverId,
        }, TOPICS.delivery);
      },
    }),
};
