import { describe, expect, it } from 'vitest';
import { createLogger } from '@switchyard/telemetry/log';
import { Hono } from 'hono';
import type { Store } from '@switchyard/store';
import type { Config } from '@switchyard/config';
import { systemClock } from '@switchyard/telemetry/clock';
import { checkHealth, healthRoutes } from './health';
import { PartError, startParts, stopParts, type Part } from './parts';

const logs: string[] = [];
const logger = createLogger('test', (l) => logs.push(l));
const ctx = { config: {} as Config, kafkaBrokers: ['127.0.0.1:1'], redisUrl: 'redis://127.0.0.1:6379', store: {} as Store, clock: systemClock, logger };

function part(name: string, events: string[], failStart = false): Part {
  return {
    name,
    start: async (c) => {
      events.push(`start ${name} ${c.kafkaBrokers.join()}`);
      if (failStart) throw new Error(`${name} broke`);
    },
    stop: async () => {
      events.push(`stop ${name}`);
      if (name === 'b') throw new Error('b cannot stop');
    },
  };
}

describe('parts', () => {
  it('start in order and stop in reverse, even when one stop fails', async () => {
    const events: string[] = [];
    const started = await startParts([part('a', events), part('b', events), part('c', events)], ctx, logger);
    await stopParts(started, logger);
    expect(events).toEqual(['start a 127.0.0.1:1', 'start b 127.0.0.1:1', 'start c 127.0.0.1:1', 'stop c', 'stop b', 'stop a']);
    expect(logs.some((l) => l.includes('b cannot stop'))).toBe(true);
  });

  it('stop the parts already started when one fails to start, and rethrow', async () => {
    const events: string[] = [];
    await expect(startParts([part('a', events), part('x', events, true), part('c', events)], ctx, logger)).rejects.toThrow('x broke');
    expect(events).toEqual(['start a 127.0.0.1:1', 'start x 127.0.0.1:1', 'stop a']);
  });

  it('refuse two parts with one name', async () => {
    await expect(startParts([part('a', []), part('a', [])], ctx, logger)).rejects.toBeInstanceOf(PartError);
  });
});

describe('health', () => {
  it('bounds each check by the timeout and names what is down', async () => {
    const report = await checkHealth(
      {
        fast: async () => ({ state: 'up' }),
        slow: () => new Promise(() => undefined),
        broken: async () => {
          throw new Error('no route to host');
        },
      },
      100,
    );
    expect(report.status).toBe('unavailable');
    expect(report.failing.sort()).toEqual(['broken', 'slow']);
    expect(report.parts.slow!.detail).toContain('100 ms');
    expect(report.parts.broken!.detail).toBe('no route to host');
  });

  it('answers 200 when all are up and 503 naming the failing part otherwise', async () => {
    let kafkaUp = true;
    const app = new Hono();
    healthRoutes(app, () => ({ kafka: async () => (kafkaUp ? { state: 'up' } : { state: 'down', detail: 'mock cluster exited' }), redis: async () => ({ state: 'up' }) }));
    const ok = await app.request('/healthz');
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ status: 'ok', parts: { kafka: { state: 'up' }, redis: { state: 'up' } } });
    kafkaUp = false;
    const down = await app.request('/healthz');
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({ status: 'unavailable', failing: ['kafka'], detail: 'down: kafka (mock cluster exited)' });
  });
});
