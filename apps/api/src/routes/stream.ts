/**
 * GET /api/v1/stream: server-sent events. `snapshot` every streamIntervalMs (per-group lag and status, queue
 * depth; one cached read shared by every open stream), `progress` for each action progress event, and a comment
 * heartbeat so proxies keep the connection. Ends cleanly when the client goes away.
 */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { streamSSE } from 'hono/streaming';
import { progressBus } from '../progress';
import type { ApiEnv } from './env';
import { requireRole } from './middleware';
import { problems, type Services } from './services';

/** The payload of a `snapshot` event. */
export interface Snapshot {
  at: string;
  groups: { group: string; status: string; lagMessages: number; lagSeconds: number | null }[];
  queues: { queue: string; counts: Record<string, number> }[];
  /** Set when a read failed; the other half may still be there. */
  error?: string;
}

async function snapshot(s: Services): Promise<Snapshot> {
  const out: Snapshot = { at: new Date(s.ctx.clock.now()).toISOString(), groups: [], queues: [] };
  const errors: string[] = [];
  try {
    out.groups = (await s.source.groups()).map((g) => ({ group: g.group, status: g.status, lagMessages: g.lagMessages, lagSeconds: g.lagSeconds }));
  } catch (err) {
    errors.push(`consumer groups: ${(err as Error).message}`);
  }
  try {
    out.queues = (await s.source.queues()).map((q) => ({ queue: q.queue, counts: q.counts }));
  } catch (err) {
    errors.push(`queues: ${(err as Error).message}`);
  }
  if (errors.length) {
    s.ctx.logger.warn('live feed snapshot incomplete', { errors });
    out.error = 'Some data could not be read; the server log has the detail.';
  }
  return out;
}

export function registerStreamRoute(app: OpenAPIHono<ApiEnv>, s: Services): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/stream',
      tags: ['live'],
      summary: 'Live feed (text/event-stream): `snapshot` every 2 s, `progress` of actions, heartbeats',
      security: [{ bearer: [] }, { session: [] }],
      middleware: [requireRole('viewer')],
      responses: { 200: { description: 'An event stream.', content: { 'text/event-stream': { schema: z.string() } } }, ...problems(401, 403) },
    }),
    (c) =>
      streamSSE(c, async (stream) => {
        let closed = false;
        let wake: (() => void) | undefined;
        const send = (event: string, data: unknown): void => {
          if (!closed) void stream.writeSSE({ event, data: JSON.stringify(data) }).catch(() => undefined);
        };
        const unsubscribe = progressBus.subscribe((e) => send('progress', e));
        const end = (): void => {
          closed = true;
          unsubscribe();
          wake?.();
        };
        stream.onAbort(end);
        s.shutdown.addEventListener('abort', end, { once: true });
        const { streamIntervalMs, heartbeatMs } = s.ctx.options;
        let sinceBeat = 0;
        if (s.shutdown.aborted) end();
        while (!closed) {
          send('snapshot', await snapshot(s));
          await new Promise<void>((resolve) => {
            const t = setTimeout(resolve, streamIntervalMs);
            wake = () => {
              clearTimeout(t);
              resolve();
            };
          });
          sinceBeat += streamIntervalMs;
          if (!closed && sinceBeat >= heartbeatMs) {
            sinceBeat = 0;
            await stream.write(': heartbeat\n\n').catch(() => undefined);
          }
        }
        s.shutdown.removeEventListener('abort', end);
      }) as never,
  );
}
