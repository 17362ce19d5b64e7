/**
 * API tokens: `sy_` + 32 random bytes (base64url), shown once; only their sha256 is stored, in ClickHouse
 * `api_tokens`. The table is small, so the registry caches all of it and looks tokens up by hash in memory; the
 * cache is trusted for `ttlMs`, so a revocation made by another process takes effect within that time (at once in
 * this one).
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Store } from '@switchyard/store/types';
import type { Clock } from '@switchyard/telemetry/clock';
import type { Logger } from '@switchyard/telemetry/log';
import { ConflictError, NotFoundError, UnavailableError } from '../errors';
import { chTimeToIso } from '../queries/index';
import type { Role } from '../types';

/** A token as listed (never its secret, never its hash). */
export interface TokenRecord {
  id: string;
  name: string;
  role: Role;
  createdBy: string;
  createdAt: string;
  revokedAt: string | null;
}

interface Row extends TokenRecord {
  hash: string;
}

/** Id of the token that SWITCHYARD_ADMIN_TOKEN provides; setting a new value replaces it. */
export const ENV_ADMIN_TOKEN_ID = 'env-admin';

/** sha256 (hex) of a token: what is stored and compared. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A new random token. */
export function generateToken(): string {
  return `sy_${randomBytes(32).toString('base64url')}`;
}

/** The token registry over `api_tokens`. */
export class TokenRegistry {
  #rows: Row[] | undefined;
  #byHash = new Map<string, Row>();
  #loadedAt = -Infinity;
  #loading: Promise<void> | undefined;
  #lastVersion = 0;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly logger: Logger,
    /** How long the cache is trusted, in ms (default 5000). */
    private readonly ttlMs = 5000,
  ) {}

  /** Drops the cache: the next look-up reads ClickHouse. */
  invalidate(): void {
    this.#loadedAt = -Infinity;
  }

  async #load(): Promise<Row[]> {
    if (this.#rows && this.clock.now() - this.#loadedAt < this.ttlMs) return this.#rows;
    this.#loading ??= (async () => {
      try {
        const rows = await this.store.query<{ id: string; name: string; role: Role; hash: string; created_by: string; created_at: string; revoked_at: string | null }>(
          'SELECT id, name, role, hash, created_by, created_at, revoked_at FROM api_tokens FINAL ORDER BY created_at, id',
        );
        this.#rows = rows.map((r) => ({
          id: r.id,
          name: r.name,
          role: r.role,
          hash: r.hash,
          createdBy: r.created_by,
          createdAt: chTimeToIso(r.created_at),
          revokedAt: r.revoked_at ? chTimeToIso(r.revoked_at) : null,
        }));
        this.#byHash = new Map(this.#rows.filter((r) => r.revokedAt === null).map((r) => [r.hash, r]));
        this.#loadedAt = this.clock.now();
      } catch (err) {
        // A stale cache beats locking every operator out while ClickHouse is away.
        if (!this.#rows) throw new UnavailableError('Cannot read API tokens from ClickHouse.', 'TOKENS_UNAVAILABLE', { cause: err });
        this.logger.warn('token refresh failed; serving the cached tokens', { err });
      } finally {
        this.#loading = undefined;
      }
    })();
    await this.#loading;
    return this.#rows ?? [];
  }

  /** The live token a secret belongs to, or null. */
  async lookup(token: string): Promise<TokenRecord | null> {
    await this.#load();
    const row = this.#byHash.get(hashToken(token));
    return row ? strip(row) : null;
  }

  /** A token by id (live or revoked), or null. */
  async byId(id: string): Promise<TokenRecord | null> {
    const row = (await this.#load()).find((r) => r.id === id);
    return row ? strip(row) : null;
  }

  /** Every token, oldest first, revoked ones included. */
  async list(): Promise<TokenRecord[]> {
    return (await this.#load()).map(strip);
  }

  #version(): number {
    this.#lastVersion = Math.max(this.clock.now(), this.#lastVersion + 1);
    return this.#lastVersion;
  }

  async #write(row: Row): Promise<void> {
    const res = await this.store.insert('api_tokens', [
      {
        id: row.id,
        name: row.name,
        role: row.role,
        hash: row.hash,
        created_by: row.createdBy,
        created_at: new Date(Date.parse(row.createdAt)),
        revoked_at: row.revokedAt ? new Date(Date.parse(row.revokedAt)) : null,
        version: this.#version(),
      },
    ]);
    if (!res.ok) throw new UnavailableError('Cannot write the API token to ClickHouse.', 'TOKENS_UNAVAILABLE', { cause: res.error });
    this.invalidate();
  }

  /** Creates a token; the secret is returned here and never again. */
  async create(input: { name: string; role: Role; createdBy: string; token?: string; id?: string }): Promise<{ token: string; record: TokenRecord }> {
    const token = input.token ?? generateToken();
    const row: Row = {
      id: input.id ?? randomUUID(),
      name: input.name,
      role: input.role,
      hash: hashToken(token),
      createdBy: input.createdBy,
      createdAt: new Date(this.clock.now()).toISOString(),
      revokedAt: null,
    };
    await this.#write(row);
    return { token, record: strip(row) };
  }

  /** Revokes a token. NotFound for an unknown id; Conflict (`ALREADY_REVOKED`) when it already is. */
  async revoke(id: string): Promise<TokenRecord> {
    const row = (await this.#load()).find((r) => r.id === id);
    if (!row) throw new NotFoundError(`No API token has id ${id}.`, 'TOKEN_NOT_FOUND');
    if (row.revokedAt !== null) throw new ConflictError(`Token ${id} was already revoked at ${row.revokedAt}.`, 'ALREADY_REVOKED');
    const revoked: Row = { ...row, revokedAt: new Date(this.clock.now()).toISOString() };
    await this.#write(revoked);
    return strip(revoked);
  }

  /**
   * First-start bootstrap. With `adminToken` set, makes it a live admin token (id `env-admin`; a new value
   * replaces the old one) and returns undefined. Without it, and when no live admin token exists, creates one and
   * returns its secret (the only time it exists outside the caller); otherwise returns undefined.
   */
  async bootstrap(adminToken: string): Promise<string | undefined> {
    const rows = await this.#load();
    if (adminToken) {
      const current = rows.find((r) => r.id === ENV_ADMIN_TOKEN_ID);
      if (current?.hash === hashToken(adminToken) && current.revokedAt === null) return undefined;
      await this.create({ id: ENV_ADMIN_TOKEN_ID, name: 'admin (SWITCHYARD_ADMIN_TOKEN)', role: 'admin', createdBy: 'config', token: adminToken });
      return undefined;
    }
    if (rows.some((r) => r.role === 'admin' && r.revokedAt === null)) return undefined;
    const { token } = await this.create({ name: 'first admin', role: 'admin', createdBy: 'first start' });
    return token;
  }
}

function strip(row: Row): TokenRecord {
  return { id: row.id, name: row.name, role: row.role, createdBy: row.createdBy, createdAt: row.createdAt, revokedAt: row.revokedAt };
}
