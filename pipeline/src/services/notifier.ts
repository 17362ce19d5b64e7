/**
 * Notifier: tells the customer their order arrived, through a simulated SMS/push provider behind the BullMQ queue
 * `notifications` (3 attempts, exponential backoff). During a provider outage jobs exhaust their attempts and stay
 * in the failed set, the queue's dead-letter list, until an operator redrives them.
 */
import { GROUPS, QUEUES, TOPICS } from '@switchyard/contracts';
import { emit } from '../context';
import { enqueue, startTracedWorker } from '../jobs';
import { all, startStage, type Service } from './stage';

/** The simulated provider is down (notification outage fault). */
export class NotificationProviderError extends Error {
  readonly code = 'NOTIFY_PROVIDER_DOWN';
  readonly retriable = true;
  constructor() {
    super('notification provider unavailable: sms-sim answered 503');
    this.name = 'NotificationProviderError';
  }
}

interface Send {
  channel: 'sms' | 'push';
  template: string;
}

/** Attempts per notification before it stays in the failed set. */
export const NOTIFY_ATTEMPTS = 3;

export const notifier: Service = {
  name: 'notifier',
  start: async (ctx) => {
    const queue = ctx.queue(QUEUES.notifications);
    const worker = await startTracedWorker<Send>({
      queue: queue.name,
      service: 'notifier',
      ctx,
      concurrency: 16,
      process: async (job) => {
        if (ctx.faults.get().notificationOutage) throw new NotificationProviderError();
        const cause = { id: job.data.causationId, correlationId: job.data.correlationId ?? job.data.causationId, orderId: job.data.orderId };
        await emit(ctx, { cause, source: 'notifier' }, 'CustomerNotified', {
          channel: job.data.payload.channel,
          template: job.data.payload.template,
          providerMessageId: `sim-${job.id ?? job.data.causationId}`,
        }, TOPICS.notifications);
      },
    });
    const stage = await startStage(ctx, {
      service: 'notifier',
      group: GROUPS.notifier,
      topics: [TOPICS.delivery],
      types: ['OrderDelivered'],
      handle: async (event) => {
        await enqueue<Send>(
          queue,
          'notifier',
          { orderId: event.orderId, causationId: event.id, correlationId: event.correlationId, payload: { channel: ctx.random() < 0.5 ? 'sms' : 'push', template: 'order-delivered' } },
          { attempts: NOTIFY_ATTEMPTS, backoff: { type: 'exponential', delay: 100 }, removeOnComplete: 1000, removeOnFail: false },
        );
      },
    });
    return all([worker, stage]);
  },
};
