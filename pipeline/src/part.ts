/**
 * The pipeline as a launcher part: starts the services selected by `SWITCHYARD_SERVICES` (all by default) and
 * serves intake and the fault and load endpoints on the launcher's port.
 */
import type { Hono } from 'hono';
import type { Part, PartContext } from '../../apps/launcher/src/parts';
import { pipelineRoutes } from './routes';
import { startPipeline, type PipelineRuntime } from './runtime';

/** Creates the pipeline part. `onStarted` hands the runtime to whoever needs it (tests, the benchmark). */
export function pipelinePart(onStarted?: (rt: PipelineRuntime) => void): Part {
  let rt: PipelineRuntime | undefined;
  let ctxLogger: PartContext['logger'] | undefined;
  return {
    name: 'pipeline',
    start: async (ctx) => {
      ctxLogger = ctx.logger;
      rt = await startPipeline({ config: ctx.config, kafkaBrokers: ctx.kafkaBrokers, redisUrl: ctx.redisUrl, clock: ctx.clock, logger: ctx.logger });
      onStarted?.(rt);
    },
    stop: async () => {
      await rt?.stop();
    },
    health: async () => {
      if (!rt) return { state: 'down', detail: 'not started' };
      const pong = await rt.ctx.redis.ping().catch(() => null);
      return pong === 'PONG' ? { state: 'up', detail: `services: ${rt.services.join(', ')}` } : { state: 'down', detail: 'redis does not answer' };
    },
    routes: (app: Hono) => {
      if (rt && ctxLogger) pipelineRoutes(app, rt, ctxLogger);
    },
  };
}
