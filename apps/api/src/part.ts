/**
 * The API as a launcher part: the REST API, live feed, /metrics, OTLP receiver and the console's static files on
 * the launcher's port. Prints the generated first admin token once (only its hash is stored).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { serveStatic } from '@hono/node-server/serve-static';
import type { Hono } from 'hono';
import { Redis } from 'ioredis';
import { Kafka } from 'kafkajs';
import { kafkaLogCreator, keyPrefix } from '@switchyard/bus';
import { ForbiddenError, UnauthorizedError } from './errors';
import { createAlerting, alertingRoutes, metricsFromRegistry, type Alerting } from './alerting/index';
import { checkCsrf } from './routes/middleware';
import { roleAtLeast } from './types';
import type { Part, PartContext } from '../../launcher/src/parts';
import { createApi, type Api } from './app';
import type { CollectorHealth } from './metrics/registry';

/** Where `npm run build -w @switchyard/console` puts the console. */
export const CONSOLE_DIST = fileURLToPath(new URL('../../console/dist/', import.meta.url));

/** Options of {@link apiPart}. */
export interface ApiPartOptions {
  /** Health of the collectors in this process (for switchyard_collector_*). */
  collectorHealth?: () => CollectorHealth[];
  /** Prints a line for the operator (the launcher's stdout). */
  print?: (line: string) => void;
}

export function apiPart(opts: ApiPartOptions = {}): Part & { api(): Api | undefined } {
  let api: Api | undefined;
  let alerting: Alerting | undefined;
  let redis: Redis | undefined;
  let logger: PartContext['logger'] | undefined;
  return {
    name: 'api',
    api: () => api,
    start: async (ctx) => {
      logger = ctx.logger;
      redis = new Redis(ctx.redisUrl, { maxRetriesPerRequest: 3 });
      const kafka = new Kafka({ clientId: `${ctx.config.kafkaClientId}-api`, brokers: ctx.kafkaBrokers, logCreator: kafkaLogCreator(ctx.logger.child('kafkajs')) });
      api = createApi({ store: ctx.store, redis, kafka, config: ctx.config, clock: ctx.clock, logger: ctx.logger, collectorHealth: opts.collectorHealth });
      const started = await api.start();
      const url = new URL(ctx.redisUrl);
      alerting = createAlerting({
        store: ctx.store,
        redis,
        bullConnection: { host: url.hostname, port: Number(url.port || 6379), ...(url.password ? { password: decodeURIComponent(url.password) } : {}), maxRetriesPerRequest: null },
        clock: ctx.clock,
        logger: ctx.logger.child('alerting'),
        rulesDir: ctx.config.alertRulesDir,
        env: {
          SWITCHYARD_ALERT_WEBHOOK_URL: ctx.config.alertWebhookUrl,
          SWITCHYARD_ALERT_WEBHOOK_SECRET: ctx.config.alertWebhookSecret,
          SWITCHYARD_ALERTMANAGER_URL: ctx.config.alertmanagerUrl,
        },
        metrics: metricsFromRegistry(api.registry),
        redisPrefix: keyPrefix(ctx.config),
        intervalMs: ctx.config.alertIntervalMs,
      });
      alertingRoutes(api.app, {
        store: ctx.store,
        clock: ctx.clock,
        rules: alerting.rules,
        queue: alerting.queue,
        authorize: (c, role) => {
          const p = c.get('principal');
          if (!p) throw new UnauthorizedError();
          checkCsrf(c);
          if (!roleAtLeast(p.role, role)) throw new ForbiddenError(`This needs the ${role} role; token "${p.name}" is ${p.role}.`, 'ROLE_REQUIRED');
        },
        actor: (c) => c.get('principal')?.name,
      });
      alerting.start();
      if (started.generatedAdminToken) {
        const say = opts.print ?? ((l: string) => process.stdout.write(`${l}\n`));
        say(`first admin token (shown once, store it now): ${started.generatedAdminToken}`);
      }
    },
    stop: async () => {
      await alerting?.stop();
      await api?.stop();
      await redis?.quit().catch(() => undefined);
    },
    health: async () => ((await redis?.ping().catch(() => null)) === 'PONG' ? { state: 'up' } : { state: 'down', detail: 'redis does not answer' }),
    routes: (app: Hono) => {
      if (!api) return;
      app.route('/', api.app as unknown as Hono);
      if (existsSync(CONSOLE_DIST)) {
        app.use('/*', serveStatic({ root: CONSOLE_DIST }));
        app.get('/*', serveStatic({ root: CONSOLE_DIST, path: 'index.html' }));
      } else {
        logger?.warn('console not built: run `npm run build -w @switchyard/console`', { dir: CONSOLE_DIST });
      }
    },
  };
}
