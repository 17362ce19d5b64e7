/**
 * A Kafka stage: one consumer group, the topics it reads, and a handler per event type it cares about (other
 * types on the same topic are acknowledged and skipped). The stage applies the slowness fault of its service.
 */
import type { Consumer, MessageContext } from '@switchyard/bus/types';
import type { AnyEvent } from '@switchyard/contracts';
import type { PipelineContext } from '../context';
import { sleep } from '../faults';

/** A running part of a service. */
export interface Running {
  stop(): Promise<void>;
}

/** A pipeline service: starts its consumers and workers in a context. */
export interface Service {
  /** Service name (`inventory`, `payment`, ...), also the `service.name` of its spans and its slowness key. */
  name: string;
  start(ctx: PipelineContext): Promise<Running>;
}

/** Starts a consumer group whose handler sees decoded events of the listed types only. */
export async function startStage(
  ctx: PipelineContext,
  opts: {
    service: string;
    group: string;
    topics: string[];
    types: readonly AnyEvent['type'][];
    handle(event: AnyEvent, message: MessageContext): Promise<void>;
  },
): Promise<Consumer> {
  return ctx.bus.consume({
    group: opts.group,
    service: opts.service,
    // Partitions are independent: overlap their Redis and Kafka round trips; order within one stays strict.
    partitionsConsumedConcurrently: 4,
    // Order matters per order, not per partition: a backlog on a partition is worked off 16 orders at a time.
    keyConcurrency: 16,
    // A restarted member joins only once the broker has given up on its predecessor (the mock cluster ignores
    // LeaveGroup): a 10 s session bounds that wait while staying above Kafka's 6 s minimum.
    sessionTimeoutMs: 10_000,
    accepts: (type) => (opts.types as readonly string[]).includes(type),
    topics: opts.topics.map((t) => ctx.topic(t)),
    handle: async (event, message) => {
      const e = event as AnyEvent;
      if (!opts.types.includes(e.type)) return;
      await sleep(ctx.faults.get().slowMs[opts.service] ?? 0);
      await opts.handle(e, message);
    },
  });
}

/** Stops several running parts in reverse order. */
export function all(parts: Running[]): Running {
  return {
    stop: async () => {
      for (const p of [...parts].reverse()) await p.stop();
    },
  };
}
