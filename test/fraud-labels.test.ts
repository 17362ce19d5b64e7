/**
 * Fraud labels end to end, against the mock Kafka cluster, real Redis and embedded ClickHouse: the pipeline's
 * payment service scores orders and, after the dispute window, publishes FraudLabelled; the tap stores both; the
 * inference collector materialises predictions and labels; its precision and recall equal a hand computation over
 * the same messages read straight from Kafka.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyPrefix } from '@switchyard/bus';
import { collect, deleteKeys, testEnv, uniquePrefix, waitFor, type Collected } from '@switchyard/bus/testing';
import { loadConfig, type Config } from '@switchyard/config';
import { sampleOrder, type Envelope } from '@switchyard/contracts';
import { openStore, type Store } from '@switchyard/store';
import { systemClock } from '@switchyard/telemetry/clock';
import { createLogger } from '@switchyard/telemetry/log';
import { inferenceSummary, materializeInference, type FraudQuality } from '../collectors/inference/index';
import { startTap, type Tap } from '../collectors/tap/index';
import { startPipeline, type PipelineRuntime } from '../pipeline/src/runtime';

const env = testEnv();
const config: Config = { ...loadConfig({}), topicPrefix: uniquePrefix(), maxAttempts: 3, retryBackoffMs: 50 };
const payments = `${config.topicPrefix}.payments`;
const quiet = createLogger('fraud-labels-test', () => undefined);
const dir = mkdtempSync(join(tmpdir(), 'sy-fraud-labels-'));
let store: Store;
let rt: PipelineRuntime;
let tap: Tap;
let reader: { messages: Collected[]; stop(): Promise<void> };
const started = Date.now();

beforeAll(async () => {
  store = await openStore({ dataDir: dir, database: 'fraud_labels_t' });
  rt = await startPipeline({ config, kafkaBrokers: env.brokers, redisUrl: env.redisUrl, clock: systemClock, logger: quiet, services: ['inventory', 'payment'], random: Math.random });
  await rt.faults.update({ timeScale: 0.2, paymentDeclineRate: 0.2 });
  const kafka = new Kafka({ clientId: 'fraud-labels-test', brokers: env.brokers, logLevel: logLevel.NOTHING });
  reader = await collect(env.brokers, [payments]);
  tap = await startTap({ kafka, store, topics: [payments], groupId: `tap-${randomUUID()}`, logger: quiet, maxWaitTimeInMs: 200, sessionTimeout: 6000, writer: { flushIntervalMs: 100 } });
}, 120_000);
afterAll(async () => {
  await tap?.stop();
  await reader?.stop();
  await rt?.stop();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
  const redis = new Redis(env.redisUrl);
  await deleteKeys(redis, keyPrefix(config));
  await deleteKeys(redis, `bull:${config.topicPrefix}.`);
  await redis.quit();
});

describe('fraud labels', { timeout: 180_000 }, () => {
  it('precision and recall of the collector equal a hand computation over the labelled orders', async () => {
    // Large orders look like fraud to the model and to the simulated world alike: both classes show up.
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push((await rt.accept(sampleOrder(i % 2 ? { items: 12 } : {}))).orderId);
    const of = (id: string, type: string): Envelope | undefined =>
      reader.messages.filter((m) => m.key === id && m.value).map((m) => JSON.parse(m.value!) as Envelope).find((e) => e.type === type);
    const scoredIds = (): string[] => ids.filter((id) => of(id, 'FraudScored'));
    await waitFor(() => scoredIds().length > 0 && scoredIds().every((id) => of(id, 'FraudLabelled')), 'a label for every scored order', 150_000);
    const labelled = scoredIds();
    const stored = async (): Promise<number> =>
      Number((await store.query<{ n: string }>("SELECT count() AS n FROM events FINAL WHERE type = 'FraudLabelled' AND order_id IN {ids:Array(String)}", { ids: labelled }))[0]?.n);
    await waitFor(async () => (await stored()) === labelled.length, 'the tap storing every label', 60_000);
    await materializeInference(store);

    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (const id of labelled) {
      const flagged = (of(id, 'FraudScored')!.data as { score: number }).score >= 0.5;
      const fraud = (of(id, 'FraudLabelled')!.data as { isFraud: boolean }).isFraud;
      if (flagged && fraud) tp++;
      else if (flagged) fp++;
      else if (fraud) fn++;
    }
    const [model] = await inferenceSummary(store, { from: new Date(started - 60_000), to: new Date(Date.now() + 60_000), references: {} });
    const q = model!.error as FraudQuality;
    expect(q.n).toBe(labelled.length);
    expect(q.precision).toEqual(tp + fp ? tp / (tp + fp) : NaN);
    expect(q.recall).toEqual(tp + fn ? tp / (tp + fn) : NaN);
  });
});
