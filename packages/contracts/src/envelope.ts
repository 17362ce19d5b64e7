/**
 * The event envelope (DESIGN.md, "The event"): every message on the bus is one of these, JSON-encoded.
 */
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';

/** The envelope around every payload. `data` is validated separately, by type and version. */
export const EnvelopeSchema = z.object({
  id: z.uuid(),
  type: z.string().min(1),
  version: z.number().int().positive(),
  orderId: z.string().min(1),
  occurredAt: z.iso.datetime({ offset: true }),
  causationId: z.string().nullable(),
  correlationId: z.string().min(1),
  source: z.string().min(1),
  data: z.unknown(),
});

/** An event envelope with its payload type. */
export type Envelope<T = unknown> = Omit<z.output<typeof EnvelopeSchema>, 'data'> & { data: T };

/** Fields to build a new envelope. Causation and correlation come from `cause` when given. */
export interface NewEnvelope<T> {
  type: string;
  version: number;
  orderId: string;
  source: string;
  data: T;
  cause?: Pick<Envelope, 'id' | 'correlationId'>;
  /** Epoch ms (default: now). */
  now?: number;
}

/** Builds an envelope with a fresh UUIDv7 id. */
export function newEnvelope<T>(e: NewEnvelope<T>): Envelope<T> {
  const now = e.now ?? Date.now();
  const id = uuidv7({ msecs: now });
  return {
    id,
    type: e.type,
    version: e.version,
    orderId: e.orderId,
    occurredAt: new Date(now).toISOString(),
    causationId: e.cause?.id ?? null,
    correlationId: e.cause?.correlationId ?? id,
    source: e.source,
    data: e.data,
  };
}
