/**
 * createApi: the Switchyard API as a Hono app (OpenAPIHono) over plain handlers. Routes live in routes/, the
 * handlers they call in handlers/, and errors become problem+json in one place (routes/problem.ts).
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import type { Registry } from 'prom-client';
import { SessionStore, SESSION_COOKIE } from './auth/sessions';
import { TokenRegistry } from './auth/tokens';
import { NotFoundError } from './errors';
import { IdempotencyStore } from './idempotency';
import { createMetricsRegistry } from './metrics/registry';
import { createMetricsSource } from './metrics/source';
import { RateLimiter } from './rate-limit';
import { registerActionRoutes } from './routes/actions';
import { registerAuthRoutes } from './routes/auth';
import { registerDocRoutes } from './routes/docs';
import type { ApiEnv } from './routes/env';
import { authenticate, requestId } from './routes/middleware';
import { defaultHook, errorHandler } from './routes/problem';
import { registerObserveRoutes } from './routes/observe';
import { registerReadRoutes } from './routes/reads';
import type { Services } from './routes/services';
import { registerStreamRoute } from './routes/stream';
import { registerThrottleRoutes } from './routes/throttles';
import { resolveOptions, type ApiDeps, type Ctx } from './types';

/** What `start()` reports. */
export interface StartResult {
  /**
   * The admin token generated at first start (no admin token existed and SWITCHYARD_ADMIN_TOKEN was empty). Set
   * only on that one start: the caller prints it once; only its hash is stored.
   */
  generatedAdminToken?: string;
}

/** The API. */
export interface Api {
  app: OpenAPIHono<ApiEnv>;
  /** Bootstraps the first admin token. Call once before serving. */
  start(): Promise<StartResult>;
  /** Ends open live-feed streams. Does not close the store, Redis or Kafka: the caller owns them. */
  stop(): Promise<void>;
  /** The Prometheus registry behind /metrics. */
  registry: Registry;
}

/** Builds the API from its dependencies. Nothing is read or written until a request or `start()`. */
export function createApi(deps: ApiDeps): Api {
  const options = resolveOptions(deps.config);
  const logger = deps.logger.child('api');
  const ctx: Ctx = { ...deps, logger, options };
  const source = createMetricsSource(deps.store, deps.clock, options.metricsCacheMs);
  const registry = createMetricsRegistry({ source, logger, now: () => deps.clock.now(), partitionSeriesLimit: options.partitionSeriesLimit, collectorHealth: deps.collectorHealth });
  const shutdown = new AbortController();
  const s: Services = {
    ctx,
    tokens: new TokenRegistry(deps.store, deps.clock, logger, options.tokenCacheTtlMs),
    sessions: new SessionStore(deps.redis, options.redisPrefix, options.sessionTtlSeconds),
    limiter: new RateLimiter(deps.redis, deps.clock, { prefix: options.redisPrefix, limit: options.actionRateLimit, windowSeconds: options.actionRateWindowSeconds }),
    idempotency: new IdempotencyStore(deps.redis, options.redisPrefix, options.idempotencyTtlSeconds),
    source,
    registry,
    shutdown: shutdown.signal,
  };

  const app = new OpenAPIHono<ApiEnv>({ defaultHook });
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', description: 'An API token (sy_...).' });
  app.openAPIRegistry.registerComponent('securitySchemes', 'session', { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE, description: 'The console session (POST /api/v1/session).' });
  app.onError(errorHandler(ctx));
  app.notFound((c) => {
    throw new NotFoundError(`No route for ${c.req.method} ${c.req.path}; the API is described at /api/docs.`);
  });
  app.use('*', requestId());
  app.use('/api/v1/*', authenticate(s.tokens, s.sessions));
  registerAuthRoutes(app, s);
  registerReadRoutes(app, s);
  registerThrottleRoutes(app, s);
  registerActionRoutes(app, s);
  registerObserveRoutes(app, s);
  registerStreamRoute(app, s);
  registerDocRoutes(app, s);

  return {
    app,
    registry,
    async start() {
      const token = await s.tokens.bootstrap(deps.config.adminToken);
      if (token) logger.info('generated the first admin token; it is shown once by the launcher', { tokenPrefix: 'sy_' });
      return token ? { generatedAdminToken: token } : {};
    },
    async stop() {
      shutdown.abort();
    },
  };
}
