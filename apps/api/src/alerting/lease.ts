/**
 * The evaluator lease: one evaluator at a time across processes. A Redis key set with `SET NX PX` holds
 * `<owner>|<fence>`; the holder renews it (PEXPIRE, only while the value is still its own) on every tick, and a
 * process that cannot renew stops evaluating at once. The fence is a counter incremented at every acquisition, so
 * each holder has a larger token than the one before; the evaluator stamps it on every history row it writes, and
 * checks the lease before each tick's side effects.
 */
import type { Redis } from 'ioredis';

// Acquire or renew in one step, so an expiry between a GET and a SET cannot hand the lease to two owners.
const ACQUIRE = `
local cur = redis.call('GET', KEYS[1])
if cur then
  local owner, fence = string.match(cur, '^(.*)|(%d+)$')
  if owner == ARGV[1] then
    redis.call('PEXPIRE', KEYS[1], ARGV[2])
    return tonumber(fence)
  end
  return 0
end
local fence = redis.call('INCR', KEYS[2])
if redis.call('SET', KEYS[1], ARGV[1] .. '|' .. fence, 'NX', 'PX', ARGV[2]) then return fence end
return 0
`;

const RELEASE = `
local cur = redis.call('GET', KEYS[1])
if cur and string.match(cur, '^(.*)|%d+$') == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/** Options of {@link Lease}. */
export interface LeaseOptions {
  /** The lease key (the fence counter is `<key>:fence`). */
  key: string;
  /** This process's identity (default: given by the caller, e.g. host:pid:uuid). */
  owner: string;
  /** Lifetime of the lease without renewal, in ms (default 15000: three evaluation intervals). */
  ttlMs?: number;
}

/** A renewable, fenced lease in Redis. */
export class Lease {
  private current = 0;
  readonly ttlMs: number;

  constructor(
    private readonly redis: Redis,
    private readonly opts: LeaseOptions,
  ) {
    this.ttlMs = opts.ttlMs ?? 15_000;
  }

  /** The fencing token while held, else 0. */
  get fence(): number {
    return this.current;
  }

  /** Takes the lease if free, renews it if ours; returns the fence (0 when another process holds it). */
  async acquire(): Promise<number> {
    const r = (await this.redis.eval(ACQUIRE, 2, this.opts.key, `${this.opts.key}:fence`, this.opts.owner, String(this.ttlMs))) as number;
    this.current = Number(r) || 0;
    return this.current;
  }

  /** Gives the lease up if still ours. */
  async release(): Promise<void> {
    this.current = 0;
    await this.redis.eval(RELEASE, 1, this.opts.key, this.opts.owner);
  }
}
