/**
 * Kitchen: each predicted order becomes a ticket on the BullMQ queue `kitchen`, delayed by its (scaled)
 * preparation time; the worker announces OrderReady. A delayed job rather than a sleep keeps the Kafka partition
 * flowing while food is "cooking", and survives a restart.
 */
import { GROUPS, TOPICS } from '@switchyard/contracts';
import { emit } from '../context';
import { enqueue, startTracedWorker } from '../jobs';
import { all, startStage, type Service } from './stage';

/** Wall-clock ms per simulated minute at time scale 1. */
export const MS_PER_SIM_MINUTE = 100;

interface Ticket {
  prepMinutes: number;
}

export const kitchen: Service = {
  name: 'kitchen',
  start: async (ctx) => {
    const queue = ctx.queue('kitchen');
    const worker = await startTracedWorker<Ticket>({
      queue: queue.name,
      service: 'kitchen',
      ctx,
      concurrency: 32,
      process: async (job) => {
        const cause = { id: job.data.causationId, correlationId: job.data.correlationId ?? job.data.causationId, orderId: job.data.orderId };
        await emit(ctx, { cause, source: 'kitchen' }, 'OrderReady', { prepMinutes: job.data.payload.prepMinutes }, TOPICS.kitchen);
      },
    });
    const stage = await startStage(ctx, {
      service: 'kitchen',
      group: GROUPS.kitchen,
      topics: [TOPICS.eta],
      types: ['EtaPredicted'],
      handle: async (event) => {
        if (event.type !== 'EtaPredicted') return;
        const prepMinutes = event.data.features.prepMinutes;
        await enqueue<Ticket>(
          queue,
          'kitchen',
          { orderId: event.orderId, causationId: event.id, correlationId: event.correlationId, payload: { prepMinutes } },
          { delay: Math.round(prepMinutes * MS_PER_SIM_MINUTE * ctx.faults.get().timeScale), removeOnComplete: 1000, removeOnFail: false },
        );
      },
    });
    return all([worker, stage]);
  },
};
