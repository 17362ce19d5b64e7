/**
 * Console sessions: an opaque random id in an HttpOnly cookie; Redis holds `sha256(id) -> token id` with a TTL,
 * so a leaked Redis dump holds no usable session id, and revoking the token ends its sessions too (the token is
 * looked up again on every request).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

/** Name of the session cookie. */
export const SESSION_COOKIE = 'sy_session';

/** Sessions in Redis under `<prefix>api:session:`. */
export class SessionStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    /** Session lifetime in seconds (default 43200). */
    private readonly ttlSeconds = 43_200,
  ) {}

  #key(sessionId: string): string {
    return `${this.prefix}api:session:${createHash('sha256').update(sessionId).digest('hex')}`;
  }

  /** Starts a session for a token; returns the session id for the cookie. */
  async create(tokenId: string): Promise<string> {
    const id = randomBytes(32).toString('base64url');
    await this.redis.set(this.#key(id), tokenId, 'EX', this.ttlSeconds);
    return id;
  }

  /** The token id of a live session, or null. */
  async resolve(sessionId: string): Promise<string | null> {
    if (!/^[A-Za-z0-9_-]{20,100}$/.test(sessionId)) return null;
    return this.redis.get(this.#key(sessionId));
  }

  /** Ends a session (a no-op for an unknown one). */
  async destroy(sessionId: string): Promise<void> {
    await this.redis.del(this.#key(sessionId));
  }
}
