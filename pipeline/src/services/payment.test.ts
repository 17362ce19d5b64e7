/**
 * The payment service's fraud outcomes, against the mock Kafka cluster and real Redis: every payment decision is
 * followed, after the dispute window, by one FraudLabelled on `payments` caused by the order's FraudScored and
 * consistent with the decision. Its own topic prefix, so nothing collides with other tests.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyPrefix } from '@switchyard/bus';
import { collect, deleteKeys, testEnv, uniquePrefix, waitFor, type Collected } from '@switchyard/bus/testing';
import { loadConfig, type Config } from '@switchyard/config';
import { sampleOrder, type Envelope } from '@switchyard/contracts';
import { systemClock } from '@switchyard/telemetry/clock';
import { createLogger } from '@switchyard/telemetry/log';
import { startPipeline, type PipelineRuntime } from '../runtime';
import { DISPUTE_WINDOW_SIM_MINUTES } from './payment';
import { MS_PER_SIM_MINUTE } from './kitchen';

const env = testEnv();
const config: Config = { ...loadConfig({}), topicPrefix: uniquePrefix(), maxAttempts: 3, retryBackoffMs: 50 };
let rt: PipelineRuntime;
let reader: { messages: Collected[]; stop(): Promise<void> };

beforeAll(async () => {
  rt = await startPipeline({ config, kafkaBrokers: env.brokers, redisUrl: env.redisUrl, clock: systemClock, logger: createLogger('payment-test', () => undefined), services: ['inventory', 'payment'], random: Math.random });
  // Half of the orders declined at random, so both kinds of outcome show up.
  await rt.faults.update({ timeScale: 1, paymentDeclineRate: 0.5 });
  reader = await collect(env.brokers, [`${config.topicPrefix}.inventory`, `${config.topicPrefix}.payments`]);
}, 90_000);
afterAll(async () => {
  await reader?.stop();
  await rt?.stop();
  const redis = new Redis(env.redisUrl);
  await deleteKeys(redis, keyPrefix(config));
  await deleteKeys(redis, `bull:${config.topicPrefix}.`);
  await redis.quit();
});

const eventsOf = (orderId: string): Envelope[] => reader.messages.filter((m) => m.key === orderId && m.value).map((m) => JSON.parse(m.value!) as Envelope);

describe('payment fraud outcomes', { timeout: 150_000 }, () => {
  it('labels every decided payment once, after the dispute window, consistently with the decision', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) ids.push((await rt.accept(sampleOrder())).orderId);
    const decided = (id: string): boolean => eventsOf(id).some((e) => e.type === 'InventoryShortage' || e.type === 'FraudLabelled');
    await waitFor(() => ids.every(decided), 'a fraud outcome (or a shortage) for every order', 120_000);
    const labelled = ids.filter((id) => eventsOf(id).some((e) => e.type === 'FraudLabelled'));
    expect(labelled.length).toBeGreaterThan(0);
    for (const id of labelled) {
      const evs = eventsOf(id);
      const scored = evs.filter((e) => e.type === 'FraudScored');
      const labels = evs.filter((e) => e.type === 'FraudLabelled');
      const decision = evs.find((e) => e.type === 'PaymentAuthorized' || e.type === 'PaymentDeclined')!;
      expect(scored).toHaveLength(1);
      expect(labels).toHaveLength(1);
      const label = labels[0]!;
      const data = label.data as { isFraud: boolean; outcome: string };
      expect(label.causationId).toBe(scored[0]!.id);
      expect(label.version).toBe(1);
      const expected = decision.type === 'PaymentAuthorized' ? (data.isFraud ? 'chargeback' : 'settled') : data.isFraud ? 'confirmed_fraud' : 'cleared';
      expect(data.outcome).toBe(expected);
      const waited = Date.parse(label.occurredAt) - Date.parse(decision.occurredAt);
      expect(waited).toBeGreaterThanOrEqual(DISPUTE_WINDOW_SIM_MINUTES * MS_PER_SIM_MINUTE - 50);
    }
  });
});
