/**
 * Per-token sliding-window rate limit for actions, in Redis: a sorted set of the token's recent action times;
 * one Lua call trims the window, counts, and admits or refuses atomically, so several API processes share it.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Clock } from '@switchyard/telemetry/clock';
import { RateLimitedError } from './errors';

const SCRIPT = `
local key = KEYS[1]
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local count = redis.call('ZCARD', key)
if count < limit then
  redis.call('ZADD', key, now, ARGV[4])
  redis.call('PEXPIRE', key, window)
  return {1, limit - count - 1, 0}
end
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
return {0, 0, tonumber(oldest[2]) + window - now}
`;

/** Options of {@link RateLimiter}. */
export interface RateLimitOptions {
  /** Key prefix (`<prefix>api:rl:<tokenId>`). */
  prefix: string;
  /** Actions allowed per window (default 30). */
  limit?: number;
  /** Window in seconds (default 60). */
  windowSeconds?: number;
}

/** Sliding-window limiter keyed by token id. */
export class RateLimiter {
  readonly limit: number;
  readonly windowMs: number;
  constructor(
    private readonly redis: Redis,
    private readonly clock: Clock,
    private readonly opts: RateLimitOptions,
  ) {
    this.limit = opts.limit ?? 30;
    this.windowMs = (opts.windowSeconds ?? 60) * 1000;
  }

  /** Admits one action for `tokenId` or throws {@link RateLimitedError} with the seconds until a slot frees. */
  async take(tokenId: string): Promise<{ remaining: number }> {
    const res = (await this.redis.eval(SCRIPT, 1, `${this.opts.prefix}api:rl:${tokenId}`, this.clock.now(), this.windowMs, this.limit, randomUUID())) as [number, number, number];
    if (res[0] === 1) return { remaining: res[1] };
    const retryAfter = Math.max(1, Math.ceil(res[2] / 1000));
    throw new RateLimitedError(`At most ${this.limit} actions per ${this.windowMs / 1000} s per token; try again in ${retryAfter} s.`, retryAfter);
  }
}
