/**
 * Delivery of notifications through the BullMQ queue `alert-notifications`: the evaluator enqueues (job id = the
 * notification id, so enqueueing twice stores one job), a worker posts to the receiver with attempts and exponential
 * backoff. A notification that exhausts its attempts stays in the queue's failed set, listed by
 * GET /api/v1/alerts/notifications?state=failed. A 4xx other than 408/429 is not retried (the receiver refused the
 * request itself, as Alertmanager also treats it). Every request carries `X-Switchyard-Notification-Id`, so a
 * receiver can drop the duplicate that a worker crash between the HTTP answer and the job's completion would cause.
 */
import { Queue, UnrecoverableError, Worker, type ConnectionOptions, type Job, type JobType } from 'bullmq';
import type { Clock } from '@switchyard/telemetry/clock';
import type { Logger } from '@switchyard/telemetry/log';
import { AlertingError } from '../errors';
import type { Receiver } from './config';
import type { Notification } from './dispatcher';
import { alertmanagerPayload, webhookPayload } from './payload';
import { SIGNATURE_HEADER, sign } from './sign';

/** Default queue name. */
export const NOTIFY_QUEUE = 'alert-notifications';

/** Options shared by the queue and the worker. */
export interface DeliveryOptions {
  connection: ConnectionOptions;
  /** BullMQ key prefix (default `bull`). */
  prefix?: string;
  /** Queue name (default {@link NOTIFY_QUEUE}). */
  queueName?: string;
}

/** A notification job as listed by the API. */
export interface NotificationRecord {
  id: string;
  state: string;
  receiver: string;
  groupKey: string;
  status: 'firing' | 'resolved';
  alerts: number;
  attemptsMade: number;
  failedReason: string | null;
  createdAt: string;
  finishedAt: string | null;
}

const STATES = ['failed', 'completed', 'waiting', 'delayed', 'active'] as const;
/** States that GET /api/v1/alerts/notifications accepts. */
export type NotificationState = (typeof STATES)[number];
export const NOTIFICATION_STATES: readonly NotificationState[] = STATES;

/** The producing side of the queue. */
export class NotificationQueue {
  readonly queue: Queue<Notification>;

  constructor(
    opts: DeliveryOptions & {
      /** Delivery attempts per notification (default 10). */
      attempts?: number;
      /** Base delay of the exponential backoff, in ms (default 1000: 1 s, 2 s, 4 s ...). */
      backoffMs?: number;
    },
  ) {
    this.queue = new Queue<Notification>(opts.queueName ?? NOTIFY_QUEUE, {
      connection: opts.connection,
      prefix: opts.prefix,
      defaultJobOptions: {
        attempts: opts.attempts ?? 10,
        backoff: { type: 'exponential', delay: opts.backoffMs ?? 1000 },
        removeOnComplete: { count: 1000 },
        removeOnFail: false,
      },
    });
  }

  /** Queues one notification (idempotent by its id). */
  async enqueue(n: Notification): Promise<void> {
    await this.queue.add('notify', n, { jobId: n.id });
  }

  /** Lists notifications in a state, newest first (default limit 100). */
  async list(state: NotificationState, limit = 100): Promise<NotificationRecord[]> {
    const jobs = await this.queue.getJobs([state as JobType], 0, Math.max(0, limit - 1), false);
    return jobs.filter((j): j is Job<Notification> => Boolean(j)).map((j) => ({
      id: j.id ?? '',
      state,
      receiver: j.data.receiver,
      groupKey: j.data.groupKey,
      status: j.data.alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
      alerts: j.data.alerts.length,
      attemptsMade: j.attemptsMade,
      failedReason: j.failedReason ?? null,
      createdAt: new Date(j.timestamp).toISOString(),
      finishedAt: j.finishedOn ? new Date(j.finishedOn).toISOString() : null,
    }));
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}

/** The request a notification becomes for one receiver (exported for tests and for a dry run). */
export function buildRequest(n: Notification, receiver: Receiver, nowMs: number): { url: string; body: string; headers: Record<string, string> } {
  const body =
    receiver.kind === 'alertmanager'
      ? JSON.stringify(alertmanagerPayload(n.alerts))
      : JSON.stringify(webhookPayload({ receiver: receiver.name, groupKey: n.groupKey, groupLabels: n.groupLabels, externalURL: n.externalURL, alerts: n.alerts, maxAlerts: receiver.max_alerts }));
  const url = receiver.kind === 'alertmanager' ? `${receiver.url.replace(/\/$/, '')}/api/v2/alerts` : receiver.url;
  const headers: Record<string, string> = { 'Content-Type': 'application/json', 'User-Agent': 'Switchyard-Alerting/1', 'X-Switchyard-Notification-Id': n.id, ...receiver.headers };
  if (receiver.secret) headers[SIGNATURE_HEADER] = sign(body, receiver.secret, nowMs / 1000);
  return { url, body, headers };
}

/** Options of {@link startDeliveryWorker}. */
export interface WorkerOptions extends DeliveryOptions {
  receivers: ReadonlyMap<string, Receiver>;
  clock: Clock;
  logger: Logger;
  /** Parallel deliveries (default 4). */
  concurrency?: number;
}

/** Starts the worker that posts notifications. Any process may run it; jobs are shared through Redis. */
export function startDeliveryWorker(opts: WorkerOptions): Worker<Notification> {
  const log = opts.logger.child('alerting.delivery');
  const worker = new Worker<Notification>(
    opts.queueName ?? NOTIFY_QUEUE,
    async (job) => {
      const receiver = opts.receivers.get(job.data.receiver);
      if (!receiver) throw new UnrecoverableError(`receiver "${job.data.receiver}" is not configured`);
      const req = buildRequest(job.data, receiver, opts.clock.now());
      let res: Response;
      try {
        res = await fetch(req.url, { method: 'POST', body: req.body, headers: req.headers, signal: AbortSignal.timeout(receiver.timeout) });
      } catch (err) {
        throw new AlertingError(`POST ${req.url} failed: ${(err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message}`, 'RECEIVER_UNREACHABLE', true, { cause: err });
      }
      await res.body?.cancel();
      if (res.ok) return;
      const msg = `POST ${req.url} answered ${res.status}`;
      if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) throw new UnrecoverableError(msg);
      throw new AlertingError(msg, 'RECEIVER_ERROR', true);
    },
    { connection: opts.connection, prefix: opts.prefix, concurrency: opts.concurrency ?? 4 },
  );
  worker.on('failed', (job, err) => {
    const final = job && job.attemptsMade >= (job.opts.attempts ?? 1);
    log[final ? 'warn' : 'debug'](final ? 'notification undeliverable; kept in the failed set' : 'notification delivery failed; will retry', { id: job?.id, receiver: job?.data.receiver, attempts: job?.attemptsMade, err: err.message });
  });
  worker.on('error', (err) => log.warn('delivery worker error', { err }));
  return worker;
}
