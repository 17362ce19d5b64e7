/**
 * BullMQ hops of the pipeline, traced like the Kafka ones: the producer side opens a `send <queue>` span and puts
 * its W3C context in the job data; the worker extracts it and runs the job in a `process <queue>` span with that
 * parent. Workers honour the control channel (kind `queue`): pause, and a maximum rate.
 */
import { SpanKind } from '@opentelemetry/api';
import { Worker, type Job, type JobsOptions, type ConnectionOptions, type Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { TokenBucket, watchControl, type ControlWatch } from '@switchyard/bus/control';
import type { ControlState } from '@switchyard/bus/types';
import type { Clock } from '@switchyard/telemetry/clock';
import type { Logger } from '@switchyard/telemetry/log';
import { extractContext, injectContext, MSG, tracerFor, withSpan } from '@switchyard/telemetry/tracing';

/** Every job of the pipeline carries the order and the trace context of its producer. */
export interface TracedJobData<T> {
  orderId: string;
  /** Event id of the cause, for stitching a trace whose context was lost. */
  causationId: string;
  /** Correlation id of the cause (the order's first event). */
  correlationId?: string;
  trace: Record<string, string>;
  payload: T;
}

/** Adds a job inside a `send <queue>` producer span. The job id defaults to `causationId` (idempotent adds). */
export async function enqueue<T>(
  queue: Queue,
  service: string,
  data: Omit<TracedJobData<T>, 'trace'>,
  opts: JobsOptions = {},
): Promise<Job> {
  return withSpan(
    tracerFor(service),
    `send ${queue.name}`,
    {
      kind: SpanKind.PRODUCER,
      attributes: {
        [MSG.system]: 'bullmq',
        [MSG.destination]: queue.name,
        [MSG.operationType]: 'send',
        'order.id': data.orderId,
        'switchyard.causation_id': data.causationId,
      },
    },
    async () => {
      const trace = injectContext({});
      return queue.add(queue.name, { ...data, trace }, { jobId: data.causationId, ...opts });
    },
  );
}

/** Options of {@link startTracedWorker}. */
/** What a worker takes from the pipeline's context (PipelineContext has all of it). */
export interface WorkerContext {
  connection: ConnectionOptions;
  prefix: string;
  redis: Redis;
  subscriber: Redis;
  clock: Clock;
  logger: Logger;
}

export interface TracedWorkerOptions<T> {
  queue: string;
  service: string;
  ctx: WorkerContext;
  /** Jobs processed at once (default 8). */
  concurrency?: number;
  process(job: Job<TracedJobData<T>>): Promise<void>;
}

/** A running worker and its control watch. */
export interface TracedWorker {
  worker: Worker;
  control(): ControlState;
  stop(): Promise<void>;
}

/** Starts a BullMQ worker whose jobs run in `process <queue>` spans parented by their producer. */
export async function startTracedWorker<T>(options: TracedWorkerOptions<T>): Promise<TracedWorker> {
  const opts = { ...options.ctx, ...options };
  const bucket = new TokenBucket(opts.clock);
  let maxRate: number | null = null;
  // Waits for a token; re-checks at least every 250 ms so a lifted or raised limit takes effect promptly.
  const throttle = async (): Promise<void> => {
    for (;;) {
      const rate = maxRate;
      if (rate === null) return;
      const wait = bucket.take(rate);
      if (wait === 0) return;
      await new Promise((r) => setTimeout(r, Math.min(wait, 250)));
    }
  };
  const worker = new Worker<TracedJobData<T>>(
    opts.queue,
    async (job) => {
      await throttle();
      const parent = extractContext(job.data.trace ?? {});
      await withSpan(
        tracerFor(opts.service),
        `process ${opts.queue}`,
        {
          kind: SpanKind.CONSUMER,
          parent,
          attributes: {
            [MSG.system]: 'bullmq',
            [MSG.destination]: opts.queue,
            [MSG.operationType]: 'process',
            [MSG.messageId]: job.id ?? '',
            'order.id': job.data.orderId,
            'switchyard.causation_id': job.data.causationId,
            'bullmq.job.attempt': job.attemptsMade + 1,
          },
        },
        () => opts.process(job),
      );
    },
    { connection: opts.connection, concurrency: opts.concurrency ?? 8, autorun: true },
  );
  worker.on('error', (err) => opts.logger.warn('worker error', { queue: opts.queue, err }));
  const watch: ControlWatch = await watchControl({
    redis: opts.redis,
    subscriber: opts.subscriber,
    prefix: opts.prefix,
    kind: 'queue',
    name: opts.queue,
    clock: opts.clock,
    logger: opts.logger,
    onChange: (state) => {
      maxRate = state.maxRate;
      if (state.paused && !worker.isPaused()) void worker.pause(true);
      if (!state.paused && worker.isPaused()) void worker.resume();
      opts.logger.info('queue control changed', { queue: opts.queue, ...state });
    },
  });
  return {
    worker,
    control: () => watch.current(),
    stop: async () => {
      await watch.stop();
      maxRate = null;
      await worker.close();
    },
  };
}
