/**
 * Idempotency by event id, per consumer group, in Redis.
 *
 * Key `<prefix>idem:<group>:<eventId>`. Before the handler runs the consumer claims the key with a short-lived
 * `inflight:<token>` value (SET NX PX), which stops a concurrent duplicate (another partition, another member);
 * after the handler succeeds the key becomes `done` for the TTL; after it fails the claim is released so that the
 * retry can claim it again. A crash mid-handler leaves a claim that lapses after `claimMs`.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

/** Result of {@link Idempotency.claim}. */
export type Claim = { kind: 'claimed'; token: string } | { kind: 'done' } | { kind: 'inflight' };

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

/** Idempotency store of one consumer group. */
export class Idempotency {
  /**
   * @param ttlSeconds how long a processed id is remembered
   * @param claimMs how long a claim lives if its holder dies (default 30000)
   */
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly group: string,
    private readonly ttlSeconds: number,
    private readonly claimMs = 30_000,
  ) {}

  /** Redis key of an event id. */
  key(eventId: string): string {
    return `${this.prefix}idem:${this.group}:${eventId}`;
  }

  /** Claims an event id for processing; `done` when it was already processed, `inflight` when someone holds it. */
  async claim(eventId: string): Promise<Claim> {
    const token = `inflight:${randomUUID()}`;
    const ok = await this.redis.set(this.key(eventId), token, 'PX', this.claimMs, 'NX');
    if (ok === 'OK') return { kind: 'claimed', token };
    const v = await this.redis.get(this.key(eventId));
    if (v === 'done') return { kind: 'done' };
    // The claim vanished between SET and GET (its holder failed and released it): try again once.
    if (v === null) return (await this.redis.set(this.key(eventId), token, 'PX', this.claimMs, 'NX')) === 'OK' ? { kind: 'claimed', token } : { kind: 'inflight' };
    return { kind: 'inflight' };
  }

  /** Marks a claimed id as processed for the TTL. */
  async done(eventId: string): Promise<void> {
    await this.redis.set(this.key(eventId), 'done', 'EX', this.ttlSeconds);
  }

  /** Releases a claim after a failure (only if it is still ours). */
  async release(eventId: string, token: string): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.key(eventId), token);
  }
}
