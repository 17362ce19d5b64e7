/**
 * ETA prediction: for each authorised payment, the ETA model predicts minutes to delivery from distance,
 * preparation time, hour, weather and driver supply. The simulated world (the same generator the model was trained
 * on) also decides, now, how long the delivery will really take; tracking reports that truth on delivery, so the
 * inference collector can judge the model.
 */
import { GROUPS, TOPICS } from '@switchyard/contracts';
import { emit, patchOrder } from '../context';
import { generateEtaHistory } from '../models/synthetic';
import { startStage, type Service } from './stage';

export const eta: Service = {
  name: 'eta',
  start: (ctx) =>
    startStage(ctx, {
      service: 'eta',
      group: GROUPS.eta,
      topics: [TOPICS.payments],
      types: ['PaymentAuthorized'],
      handle: async (event, message) => {
        const [world] = generateEtaHistory(1, Math.floor(ctx.random() * 2 ** 31));
        const { deliveryMinutes, ...features } = world!;
        const p = ctx.models.eta.predict(features);
        await patchOrder(ctx, event.orderId, { distanceKm: features.distanceKm, actualMinutes: deliveryMinutes });
        await emit(ctx, { message, cause: event, source: 'eta' }, 'EtaPredicted', {
          etaMinutes: Math.round(p.etaMinutes * 10) / 10,
          model: p.model,
          modelVersion: p.modelVersion,
          features,
          latencyMs: p.latencyMs,
        }, TOPICS.eta);
      },
    }),
};
