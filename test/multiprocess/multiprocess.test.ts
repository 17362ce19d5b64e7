/**
 * Server mode on one machine: each part as its own OS process, started through the launcher's one entry point
 * (apps/launcher/src/main.ts) and selected by configuration, sharing only Kafka, Redis and ClickHouse (the store
 * daemon stands in for a ClickHouse server).
 *
 * Processes: the store daemon, the API, two taps, the lag collector and the pipeline. Shown: the two taps split
 * the partitions (disjoint, both non-empty); an order posted to the pipeline process is stored by the taps at
 * every stage and served by the API process; a tap killed with SIGKILL loses no message once the group has
 * rebalanced (the tap's session timeout is 10 s, which the broker waits out for the dead member).
 *
 * The test runs its own mock Kafka cluster: the tap's consumer group (`<prefix>.switchyard-tap`) spans every topic of the
 * broker, so on the shared cluster it would meet other tests' taps.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { sampleOrder } from '@switchyard/contracts';
import { createServerStore, type Store } from '@switchyard/store';
import { startMockCluster, type MockCluster } from '../../apps/launcher/src/kafka-mock';
import { tapGroupId } from '../../collectors/tap/tap';
import { pollUntil, spawnTs, startDaemonProcess, type DaemonProc, type Proc } from './harness';

const id = randomUUID().replaceAll('-', '').slice(0, 10);
const prefix = `mp${id}`;
const database = `sy_mp_${id}`;
const token = `sy_mp_${randomUUID()}`;
const LOAD_TOPIC = `${prefix}.mp-load`;
/** The tap's consumer group follows the topic prefix. */
const TAP_GROUP = tapGroupId(prefix);
const STAGES = ['OrderCreated', 'InventoryReserved', 'PaymentAuthorized', 'EtaPredicted', 'OrderReady', 'DriverAssigned', 'DriverLocationUpdated', 'OrderDelivered'];

let cluster: MockCluster;
let daemon: DaemonProc;
let store: Store;
const procs: Proc[] = [];

/** One Switchyard part as its own process: the launcher, told by env which part to run. */
async function part(name: string, env: Record<string, string>): Promise<{ proc: Proc; url: string }> {
  const proc = spawnTs(name, 'apps/launcher/src/main.ts', [], {
    PORT: '0',
    KAFKA_BROKERS: cluster.brokers.join(','),
    REDIS_URL: inject('redisUrl'),
    CLICKHOUSE_URL: daemon.url,
    CLICKHOUSE_DATABASE: database,
    SWITCHYARD_TOPIC_PREFIX: prefix,
    SWITCHYARD_ADMIN_TOKEN: token,
    SWITCHYARD_PIPELINE: 'false',
    SWITCHYARD_API: 'false',
    SWITCHYARD_COLLECTORS: 'none',
    LOG_LEVEL: 'info',
    ...env,
  });
  procs.push(proc);
  const m = await proc.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/, 120_000);
  return { proc, url: m[1] as string };
}

/** The latest partition assignment a tap's consumer logged (kafkajs "Consumer has joined the group"). */
function assignment(tap: Proc): Map<string, number[]> | undefined {
  const lines = tap.output().split('\n').filter((l) => l.includes('"msg":"Consumer has joined the group"') && l.includes(`"groupId":"${TAP_GROUP}"`));
  const last = lines.at(-1);
  if (!last) return undefined;
  const rec = JSON.parse(last) as { memberAssignment: Record<string, number[]> };
  return new Map(Object.entries(rec.memberAssignment));
}

const keys = (a: Map<string, number[]> | undefined): string[] => [...(a ?? new Map<string, number[]>())].flatMap(([t, ps]) => ps.map((p) => `${t}/${p}`));

async function produce(kafka: Kafka, n: number, from: number): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  try {
    for (let i = 0; i < n; i += 500) {
      const messages = Array.from({ length: Math.min(500, n - i) }, (_, j) => ({ key: `k-${from + i + j}`, value: JSON.stringify({ n: from + i + j }) }));
      await producer.send({ topic: LOAD_TOPIC, messages });
    }
  } finally {
    await producer.disconnect();
  }
}

const stored = async (): Promise<number> =>
  Number((await store.query<{ c: string }>('SELECT count() AS c FROM (SELECT DISTINCT partition, offset FROM events WHERE topic = {t:String})', { t: LOAD_TOPIC }))[0]?.c ?? 0);

beforeAll(async () => {
  cluster = await startMockCluster({ brokers: 1 });
  daemon = await startDaemonProcess();
}, 120_000);

afterAll(async () => {
  await Promise.all(procs.map((p) => p.stop('SIGTERM')));
  await store?.command(`DROP DATABASE IF EXISTS ${database}`).catch(() => undefined);
  await store?.close();
  await daemon?.stop();
  await cluster?.stop();
  // The pipeline's Redis keys and BullMQ queues all carry the test's prefix.
  const redis = new Redis(inject('redisUrl'));
  try {
    for await (const batch of redis.scanStream({ match: `*${prefix}*`, count: 500 }) as AsyncIterable<string[]>) if (batch.length) await redis.del(...batch);
  } finally {
    redis.disconnect();
  }
}, 120_000);

describe('each part as its own process', () => {
  it('two taps share the partitions, an order goes end to end, and a killed tap loses nothing', { timeout: 300_000 }, async () => {
    const kafka = new Kafka({ clientId: 'mp-test', brokers: cluster.brokers, logLevel: logLevel.NOTHING });
    await produce(kafka, 2000, 0); // the topic exists (4 partitions) before the taps list topics

    // The API first: it applies the migrations; the other parts find them applied.
    const api = await part('api', { SWITCHYARD_API: 'true' });
    store = await createServerStore({ url: daemon.url, database });
    const tapEnv = { SWITCHYARD_COLLECTORS: 'tap', LOG_LEVEL: 'debug' };
    const [tapA, tapB, , pipeline] = await Promise.all([
      part('tap-a', tapEnv),
      part('tap-b', tapEnv),
      part('lag', { SWITCHYARD_COLLECTORS: 'lag', SWITCHYARD_LAG_INTERVAL_MS: '1000' }),
      part('pipeline', { SWITCHYARD_PIPELINE: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: api.url }),
    ]);

    // 1. The taps split the partitions: disjoint and both non-empty, once the group has settled.
    const split = await pollUntil(
      async () => [assignment(tapA.proc), assignment(tapB.proc)] as const,
      ([a, b]) => {
        const ka = keys(a);
        const kb = keys(b);
        return ka.length > 0 && kb.length > 0 && ka.every((k) => !kb.includes(k)) && [...ka, ...kb].filter((k) => k.startsWith(`${LOAD_TOPIC}/`)).length === 4;
      },
      90_000,
      500,
    );
    const [a, b] = split.map(keys);
    expect(a?.length).toBeGreaterThan(0);
    expect(b?.length).toBeGreaterThan(0);
    expect(a?.filter((k) => b?.includes(k))).toEqual([]);
    expect(await pollUntil(stored, (n) => n === 2000, 60_000)).toBe(2000);

    // 2. An order end to end: posted to the pipeline process, every stage stored by the taps, served by the API.
    const faults = await fetch(`${pipeline.url}/pipeline/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ timeScale: 0, paymentDeclineRate: 0 }) });
    expect(faults.status).toBe(200);
    const posted = await fetch(`${pipeline.url}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(sampleOrder()) });
    expect(posted.status).toBe(202);
    const { orderId } = (await posted.json()) as { orderId: string };
    const types = await pollUntil(
      async () => (await store.query<{ type: string }>('SELECT DISTINCT type FROM events WHERE order_id = {o:String}', { o: orderId })).map((r) => r.type),
      (t) => STAGES.every((s) => t.includes(s)),
      90_000,
      500,
    );
    expect(types).toEqual(expect.arrayContaining(STAGES));
    const trace = await pollUntil(
      () => fetch(`${api.url}/api/v1/orders/${orderId}/trace`, { headers: { authorization: `Bearer ${token}` } }),
      (r) => r.status === 200,
      30_000,
      500,
    );
    expect(trace.status).toBe(200);
    const view = (await trace.json()) as { orderId: string; spans: unknown[] };
    expect(view.orderId).toBe(orderId);
    expect(view.spans.length).toBeGreaterThan(0);
    const lag = await pollUntil(
      async () => Number((await store.query<{ c: string }>("SELECT count() AS c FROM consumer_lag WHERE group = {g:String}", { g: TAP_GROUP }))[0]?.c ?? 0),
      (n) => n > 0,
      30_000,
    );
    expect(lag).toBeGreaterThan(0);

    // 3. SIGKILL one tap; what is produced next is stored by the other, after the broker drops the dead member.
    await tapB.proc.stop('SIGKILL');
    await produce(kafka, 2000, 2000);
    expect(await pollUntil(stored, (n) => n === 4000, 120_000, 500)).toBe(4000);
    expect(keys(assignment(tapA.proc)).filter((k) => k.startsWith(`${LOAD_TOPIC}/`)).sort()).toEqual([0, 1, 2, 3].map((p) => `${LOAD_TOPIC}/${p}`));
  });
});
