/**
 * The pipeline CLI against a running pipeline over real HTTP (mock Kafka, real Redis): fault knobs change on the
 * server, load runs there or from the CLI, and bad usage is refused with what to fix.
 */
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyPrefix } from '@switchyard/bus';
import { collect, deleteKeys, testEnv, uniquePrefix, waitFor, type Collected } from '@switchyard/bus/testing';
import { loadConfig, type Config } from '@switchyard/config';
import { systemClock } from '@switchyard/telemetry/clock';
import { createLogger } from '@switchyard/telemetry/log';
import { runCli, type CliIo } from './cli';
import { pipelineRoutes } from './routes';
import { startPipeline, type PipelineRuntime } from './runtime';

let rt: PipelineRuntime;
let server: ServerType;
let url: string;
let config: Config;
let orders: { messages: Collected[]; stop(): Promise<void> };

beforeAll(async () => {
  const env = testEnv();
  config = { ...loadConfig({}), topicPrefix: uniquePrefix() };
  const logger = createLogger('cli-test');
  // One cheap service: the CLI drives intake, faults and load, which every pipeline process serves.
  rt = await startPipeline({ config, kafkaBrokers: env.brokers, redisUrl: env.redisUrl, clock: systemClock, logger, services: ['loyalty'] });
  const app = new Hono();
  pipelineRoutes(app, rt, logger);
  server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 });
  await new Promise((r) => server.once('listening', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  orders = await collect(env.brokers, [`${config.topicPrefix}.orders`]);
});

afterAll(async () => {
  await orders?.stop();
  server?.close();
  await rt?.stop();
  const redis = new Redis(testEnv().redisUrl);
  await deleteKeys(redis, keyPrefix(config));
  await redis.quit();
});

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l), fetch: (...a) => fetch(...a) };
  const code = await runCli(['--url', url, ...argv], io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('pipeline CLI', () => {
  it('sets fault knobs on the running pipeline, nested keys included, and resets them', async () => {
    const set = await cli('faults', 'set', 'paymentDeclineRate=0.5', 'slowMs.payment=120', 'notificationOutage=true');
    expect(set.code, set.err).toBe(0);
    expect(rt.faults.get()).toMatchObject({ paymentDeclineRate: 0.5, slowMs: { payment: 120 }, notificationOutage: true });
    const shown = await cli('faults');
    expect(JSON.parse(shown.out)).toMatchObject({ paymentDeclineRate: 0.5 });
    expect((await cli('faults', 'reset')).code).toBe(0);
    expect(rt.faults.get()).toMatchObject({ paymentDeclineRate: 0.03, slowMs: {}, notificationOutage: false });
  });

  it('reports a knob the server refuses, with the field, and changes nothing', async () => {
    const before = rt.faults.get();
    const r = await cli('faults', 'set', 'paymentDeclineRate=2');
    expect(r.code).toBe(1);
    expect(r.err).toContain('paymentDeclineRate');
    expect(r.err).toContain('400');
    expect(rt.faults.get()).toEqual(before);
  });

  it('drives a steady profile from the CLI into the intake: every order reaches the orders topic', async () => {
    const before = orders.messages.length;
    const r = await cli('drive', 'steady', '--rate', '20', '--duration', '1');
    expect(r.code, r.err).toBe(0);
    const summary = JSON.parse(r.out.slice(r.out.lastIndexOf('{'))) as { sent: number; failed: number };
    expect(summary).toMatchObject({ sent: 20, failed: 0 });
    await waitFor(() => orders.messages.length - before >= 20, '20 orders on the orders topic', 30_000);
  });

  it('starts a profile on the server load generator, which stops by itself', async () => {
    const r = await cli('load', 'burst', '--base', '2', '--burst', '10', '--after', '0.5', '--for', '0.5', '--duration', '1.5');
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ running: true, profile: { mode: 'burst', burstRate: 10 } });
    await waitFor(() => !rt.load.status().running, 'the load generator to stop by itself', 10_000);
    expect(rt.load.status().sent).toBeGreaterThanOrEqual(6);
  });

  it('refuses bad usage with exit 2 and says what to fix', async () => {
    const noRate = await cli('load', 'steady', '--duration', '5');
    expect(noRate.code).toBe(2);
    expect(noRate.err).toContain('--rate');
    const unknownMode = await cli('drive', 'spike', '--rate', '5');
    expect(unknownMode.code).toBe(2);
    expect(unknownMode.err).toContain('steady, ramp or burst');
    const remote = await runCli(['--url', 'http://10.1.2.3:8080', 'status'], { out: () => undefined, err: () => undefined, fetch: () => Promise.reject(new Error('must not be called')) });
    expect(remote).toBe(2);
    expect((await cli('faults', 'set', 'nonsense')).code).toBe(2);
  });
});
