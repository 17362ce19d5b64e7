/**
 * Types shared by the API's handlers and routes: what `createApi` needs, the caller, and the API's own options.
 */
import type { Redis } from 'ioredis';
import type { Kafka } from 'kafkajs';
import { keyPrefix } from '@switchyard/bus/bus';
import type { Config } from '@switchyard/config';
import type { Store } from '@switchyard/store/types';
import type { Clock } from '@switchyard/telemetry/clock';
import type { Logger } from '@switchyard/telemetry/log';
import type { CollectorHealth } from './metrics/registry';

/** Roles, weakest first: viewers read, operators act, admins manage tokens and silences. */
export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** True when `have` is at least `need`. */
export function roleAtLeast(have: Role, need: Role): boolean {
  return ROLES.indexOf(have) >= ROLES.indexOf(need);
}

/** The authenticated caller of a request. */
export interface Principal {
  tokenId: string;
  /** The token's name: shown as the actor in the audit log. */
  name: string;
  role: Role;
  /** How the caller authenticated: a bearer token or the console's session cookie. */
  via: 'bearer' | 'cookie';
}

/** Options of the API beyond the shared configuration; every one has a default. */
export interface ApiOptions {
  /**
   * Prefix of every Redis key the API writes (sessions, rate limits, idempotency) and of the control channel
   * (`<prefix>control:<kind>:<name>`). Default the bus's `keyPrefix`: `sy:` (or `sy:<topicPrefix>:`), so the pipeline sees what the API writes.
   */
  redisPrefix: string;
  /** Actions per token per window (default 30). */
  actionRateLimit: number;
  /** Window of the action rate limit in seconds (default 60). */
  actionRateWindowSeconds: number;
  /** Lifetime of a console session in seconds (default 43200, 12 h). */
  sessionTtlSeconds: number;
  /** Mark the session cookie `Secure` (default false: the embedded default serves plain HTTP on loopback). */
  secureCookie: boolean;
  /** How long the in-memory token cache is trusted, in ms (default 5000). Revocations elsewhere take this long. */
  tokenCacheTtlMs: number;
  /** How long an idempotent response is replayed, in seconds (default 86400). */
  idempotencyTtlSeconds: number;
  /** How long a /metrics family reuses its last query, in ms (default 2000). */
  metricsCacheMs: number;
  /** Per-partition lag series are exported only while the partition count is below this (default 200). */
  partitionSeriesLimit: number;
  /** Interval of the SSE metrics snapshot in ms (default 2000). */
  streamIntervalMs: number;
  /** Interval of SSE heartbeats in ms (default 15000). */
  heartbeatMs: number;
  /** Budget of a Kafka admin look-up (dry-run previews) in ms (default 3000). */
  kafkaTimeoutMs: number;
  /** BullMQ key prefix of the watched queues, used to find a queue's workers in previews (default `bull`). */
  bullmqPrefix: string;
}

/** The configuration the API reads: the shared Config's fields it uses, plus optional API options. */
export type ApiConfig = Pick<Config, 'adminToken' | 'topicPrefix'> & { api?: Partial<ApiOptions> };

/** What {@link createApi} needs. */
export interface ApiDeps {
  store: Store;
  /** ioredis client for sessions, rate limits, idempotency and the control channel. */
  redis: Redis;
  /** kafkajs instance; used for consumer-group look-ups in previews (degrades when the broker lacks the API). */
  kafka: Kafka;
  config: ApiConfig;
  clock: Clock;
  logger: Logger;
  /** Health of the collectors this process runs, for switchyard_collector_* (default: none exported). */
  collectorHealth?: () => CollectorHealth[];
}

/** Resolves the API options from the config, applying every default. */
export function resolveOptions(config: ApiConfig): ApiOptions {
  const o = config.api ?? {};
  return {
    redisPrefix: o.redisPrefix ?? keyPrefix(config),
    actionRateLimit: o.actionRateLimit ?? 30,
    actionRateWindowSeconds: o.actionRateWindowSeconds ?? 60,
    sessionTtlSeconds: o.sessionTtlSeconds ?? 43_200,
    secureCookie: o.secureCookie ?? false,
    tokenCacheTtlMs: o.tokenCacheTtlMs ?? 5000,
    idempotencyTtlSeconds: o.idempotencyTtlSeconds ?? 86_400,
    metricsCacheMs: o.metricsCacheMs ?? 2000,
    partitionSeriesLimit: o.partitionSeriesLimit ?? 200,
    streamIntervalMs: o.streamIntervalMs ?? 2000,
    heartbeatMs: o.heartbeatMs ?? 15_000,
    kafkaTimeoutMs: o.kafkaTimeoutMs ?? 3000,
    bullmqPrefix: o.bullmqPrefix ?? 'bull',
  };
}

/** Everything a handler may use: the deps plus the resolved options. */
export interface Ctx extends ApiDeps {
  options: ApiOptions;
}
