/**
 * The control channel: pause and maximum rate per consumer group or queue, written by the API, obeyed by every
 * consumer and worker.
 *
 * The truth is a Redis key per target, `<prefix>control:<kind>:<name>`, holding a JSON {@link ControlState}; no key
 * means no limit. Each write is also announced on the pub/sub channel `<prefix>control` as `{"kind","name"}` so
 * that watchers re-read at once; watchers also poll every second, so a lost announcement cannot leave a stale state.
 */
import type { Redis } from 'ioredis';
import type { Logger } from '@switchyard/telemetry/log';
import type { Clock } from '@switchyard/telemetry/clock';
import type { ControlState } from './types';

/** What a control setting applies to. */
export type ControlKind = 'group' | 'queue';

/** The state that means "no limit". */
export const NO_CONTROL: ControlState = Object.freeze({ paused: false, maxRate: null, expiresAt: null });

/** Redis key of a target's control state. */
export function controlKey(prefix: string, kind: ControlKind, name: string): string {
  return `${prefix}control:${kind}:${name}`;
}

/** Pub/sub channel on which writes are announced. */
export function controlChannel(prefix: string): string {
  return `${prefix}control`;
}

/** Parses a stored state; null for anything that is not a valid ControlState. */
export function parseControl(raw: string | null): ControlState | null {
  if (raw === null) return null;
  try {
    const v = JSON.parse(raw) as Partial<ControlState>;
    if (typeof v !== 'object' || v === null || typeof v.paused !== 'boolean') return null;
    const maxRate = typeof v.maxRate === 'number' && v.maxRate > 0 ? v.maxRate : null;
    const expiresAt = typeof v.expiresAt === 'number' ? v.expiresAt : null;
    return { paused: v.paused, maxRate, expiresAt };
  } catch {
    return null;
  }
}

/** The state in force at `now`: a lapsed state (expiresAt in the past) or none means no limit. */
export function effectiveControl(state: ControlState | null, now: number): ControlState {
  if (!state || (state.expiresAt !== null && state.expiresAt <= now)) return NO_CONTROL;
  return state;
}

/**
 * Writes (or with `state = null` clears) the control state of a group or queue and announces it.
 * A state with an expiry also gets a Redis TTL a minute past it, so lapsed settings do not pile up.
 * @param prefix Redis key prefix (see `keyPrefix` in bus.ts), e.g. `sy:`
 */
export async function writeControl(redis: Redis, kind: ControlKind, name: string, state: ControlState | null, prefix: string): Promise<void> {
  const key = controlKey(prefix, kind, name);
  if (state === null) await redis.del(key);
  else if (state.expiresAt !== null) await redis.set(key, JSON.stringify(state), 'PXAT', Math.max(1, state.expiresAt + 60_000));
  else await redis.set(key, JSON.stringify(state));
  await redis.publish(controlChannel(prefix), JSON.stringify({ kind, name }));
}

/** Reads the stored control state of a group or queue (not judged against expiry: see {@link effectiveControl}). */
export async function readControl(redis: Redis, kind: ControlKind, name: string, prefix: string): Promise<ControlState | null> {
  return parseControl(await redis.get(controlKey(prefix, kind, name)));
}

/** Every stored control state under a prefix, for the console. */
export async function listControls(redis: Redis, prefix: string): Promise<{ kind: ControlKind; name: string; state: ControlState }[]> {
  const out: { kind: ControlKind; name: string; state: ControlState }[] = [];
  const head = `${prefix}control:`;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${head}*`, 'COUNT', 200);
    cursor = next;
    for (const key of keys) {
      const rest = key.slice(head.length);
      const colon = rest.indexOf(':');
      const kind = rest.slice(0, colon);
      if (kind !== 'group' && kind !== 'queue') continue;
      const state = parseControl(await redis.get(key));
      if (state) out.push({ kind, name: rest.slice(colon + 1), state });
    }
  } while (cursor !== '0');
  return out;
}

/** Options of {@link watchControl}. */
/**
 * A connection for the control channel's SUBSCRIBE, from any connection to the same Redis. No ready check: ioredis
 * (5.8.2+, issue #2037) can send its INFO probe after a SUBSCRIBE issued while connecting, and Redis refuses INFO
 * in subscriber mode (the connection errors and reconnects); no auto-pipelining, which a subscriber has no use for.
 */
export function subscriberFor(redis: Redis): Redis {
  return redis.duplicate({ enableReadyCheck: false, enableAutoPipelining: false, maxRetriesPerRequest: null });
}

export interface WatchOptions {
  /** A connection used for GETs (shared). */
  redis: Redis;
  /** A connection dedicated to SUBSCRIBE (pub/sub mode blocks other commands on it); null: poll only. */
  subscriber: Redis | null;
  prefix: string;
  kind: ControlKind;
  name: string;
  clock: Clock;
  logger: Logger;
  /** Called with the effective state whenever it changes (and once at start). */
  onChange(state: ControlState): void;
  /** Poll period in ms (default 1000). */
  pollMs?: number;
}

/** A running watch. */
export interface ControlWatch {
  /** The effective state now (expiry applied). */
  current(): ControlState;
  /** Re-reads at once. */
  refresh(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Watches one target's control state: reads it at start, on every announcement, and every `pollMs`; reports the
 * effective state (so an expiry takes effect on the next poll without a write). Never throws from its loop: a
 * failed read is logged (once until it recovers) and the last known state stays in force.
 */
export async function watchControl(opts: WatchOptions): Promise<ControlWatch> {
  const key = controlKey(opts.prefix, opts.kind, opts.name);
  const channel = controlChannel(opts.prefix);
  let stored: ControlState | null = null;
  let last = NO_CONTROL;
  let failing = false;
  let stopped = false;
  let first = true;
  const publish = (): void => {
    const eff = effectiveControl(stored, opts.clock.now());
    if (first || eff.paused !== last.paused || eff.maxRate !== last.maxRate || eff.expiresAt !== last.expiresAt) {
      first = false;
      last = eff;
      opts.onChange(eff);
    }
  };
  const refresh = async (): Promise<void> => {
    if (stopped) return;
    try {
      stored = parseControl(await opts.redis.get(key));
      if (failing) opts.logger.info('control channel readable again', { key });
      failing = false;
    } catch (err) {
      if (!failing) opts.logger.warn('cannot read control state; keeping the last one', { key, err });
      failing = true;
    }
    publish();
  };
  const onMessage = (ch: string, message: string): void => {
    if (ch !== channel) return;
    try {
      const m = JSON.parse(message) as { kind?: string; name?: string };
      if (m.kind === opts.kind && m.name === opts.name) void refresh();
    } catch {
      // An unreadable announcement is ignored; the poll catches up.
    }
  };
  if (opts.subscriber) {
    opts.subscriber.on('message', onMessage);
    await opts.subscriber.subscribe(channel);
  }
  await refresh();
  const timer = setInterval(() => void refresh(), opts.pollMs ?? 1000);
  timer.unref();
  return {
    current: () => last,
    refresh,
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      opts.subscriber?.off('message', onMessage);
    },
  };
}

/**
 * A token bucket for a maximum rate. The burst is a tenth of a second's worth (at least one message), so a limit
 * holds over short windows too.
 */
export class TokenBucket {
  private tokens = 1;
  private last: number;
  constructor(private readonly clock: Clock) {
    this.last = clock.now();
  }
  /** Takes one token at `rate` per second; returns 0 when taken, else the ms to wait before trying again. */
  take(rate: number): number {
    const now = this.clock.now();
    const burst = Math.max(1, rate / 10);
    this.tokens = Math.min(burst, this.tokens + ((now - this.last) / 1000) * rate);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.tokens) / rate) * 1000);
  }
}
