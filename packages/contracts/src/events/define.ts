/**
 * How one event type is declared: its topic, its current schema, and every older version with the step that
 * upgrades a payload of that version to the next one.
 */
import type { z } from 'zod';
import type { TopicName } from '../topics';

/** Turns a valid payload of version n into a payload of version n + 1 (validated again by the caller). */
export type Upgrade = (data: unknown) => unknown;

/** One event type in the registry. */
export interface EventDefinition<S extends z.ZodType = z.ZodType> {
  /** The version producers write today. */
  readonly current: number;
  /** The schema of the current version (the same object as `versions[current]`). */
  readonly schema: S;
  /** Every version still readable, 1..current. */
  readonly versions: Readonly<Record<number, z.ZodType>>;
  /** `upgrade[n]` turns version n into version n + 1, for every n < current. */
  readonly upgrade: Readonly<Record<number, Upgrade>>;
  /** The topic that carries this event. */
  readonly topic: TopicName;
}

/** An older version: its schema and the step to the next version. */
export interface OlderVersion {
  schema: z.ZodType;
  upgrade: Upgrade;
}

/**
 * A typed upgrade step: `fn` receives the parsed payload of `from` and must return the input of `to`.
 * Both schemas are only used for their types.
 */
export function upgradeStep<A extends z.ZodType, B extends z.ZodType>(
  _from: A,
  _to: B,
  fn: (data: z.output<A>) => z.input<B>,
): Upgrade {
  return (data) => fn(data as z.output<A>);
}

/**
 * Declares an event type. `older` must hold exactly the versions 1..current-1; a gap is a programmer error
 * and throws when the module loads.
 */
export function defineEvent<S extends z.ZodType>(def: {
  topic: TopicName;
  current: number;
  schema: S;
  older?: Readonly<Record<number, OlderVersion>>;
}): EventDefinition<S> {
  const versions: Record<number, z.ZodType> = { [def.current]: def.schema };
  const upgrade: Record<number, Upgrade> = {};
  for (let v = 1; v < def.current; v++) {
    const old = def.older?.[v];
    if (!old) throw new Error(`event definition: version ${v} of ${def.current} has no schema and upgrade`);
    versions[v] = old.schema;
    upgrade[v] = old.upgrade;
  }
  return { topic: def.topic, current: def.current, schema: def.schema, versions, upgrade };
}
