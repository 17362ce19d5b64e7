/**
 * Idempotency for actions: a POST/PUT with an `Idempotency-Key` header runs once. The same key with the same
 * request replays the first response (for `ttlSeconds`); the same key with a different request is a 409. Keys are
 * scoped per token, so two callers cannot collide or read each other's responses.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { ConflictError, ValidationError } from './errors';

/** A response worth replaying. */
export interface StoredResponse {
  status: number;
  body: unknown;
}

interface Entry {
  fp: string;
  state: 'pending' | 'done';
  status?: number;
  body?: unknown;
}

/** Fingerprint of a request: method, path (with query) and body, so any difference is a different request. */
export function fingerprint(method: string, pathWithQuery: string, body: unknown): string {
  return createHash('sha256').update(`${method}\n${pathWithQuery}\n${JSON.stringify(body ?? null)}`).digest('hex');
}

/** Idempotency records in Redis under `<prefix>api:idem:<scope>:<key>`. */
export class IdempotencyStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    /** How long a response is replayed, in seconds (default 86400). */
    private readonly ttlSeconds = 86_400,
    /** How long a request in flight holds its key, in seconds (default 120). */
    private readonly pendingSeconds = 120,
  ) {}

  /**
   * Runs `fn` once per (scope, key). Throws ConflictError `IDEMPOTENCY_KEY_REUSED` for a different request under a
   * used key and `IDEMPOTENCY_IN_PROGRESS` while the first request still runs. A failed `fn` releases the key.
   */
  async run(scope: string, key: string, fp: string, fn: () => Promise<StoredResponse>): Promise<StoredResponse & { replayed: boolean }> {
    if (!/^[\x21-\x7e]{1,255}$/.test(key)) {
      throw new ValidationError('Idempotency-Key must be 1 to 255 printable ASCII characters.', [{ path: 'header.idempotency-key', message: 'invalid key' }]);
    }
    const redisKey = `${this.prefix}api:idem:${scope}:${key}`;
    const pending: Entry = { fp, state: 'pending' };
    const claimed = await this.redis.set(redisKey, JSON.stringify(pending), 'EX', this.pendingSeconds, 'NX');
    if (claimed === null) {
      const raw = await this.redis.get(redisKey);
      const entry = raw ? (JSON.parse(raw) as Entry) : undefined;
      if (!entry) return this.run(scope, key, fp, fn); // expired between SET and GET: try again
      if (entry.fp !== fp) throw new ConflictError('This Idempotency-Key was already used for a different request; use a new key.', 'IDEMPOTENCY_KEY_REUSED');
      if (entry.state === 'pending') throw new ConflictError('A request with this Idempotency-Key is still running; retry shortly.', 'IDEMPOTENCY_IN_PROGRESS');
      return { status: entry.status ?? 200, body: entry.body ?? null, replayed: true };
    }
    let res: StoredResponse;
    try {
      res = await fn();
    } catch (err) {
      await this.redis.del(redisKey);
      throw err;
    }
    const done: Entry = { fp, state: 'done', status: res.status, body: res.body };
    await this.redis.set(redisKey, JSON.stringify(done), 'EX', this.ttlSeconds);
    return { ...res, replayed: false };
  }
}
