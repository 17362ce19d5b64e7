/**
 * End-to-end pipeline benchmark: the whole reference pipeline in this process (mock Kafka through kcat, real
 * Redis), simulated delays at zero, orders offered at a fixed rate for a while. Reports the delivered rate, the
 * event rate on the bus, order-to-delivered latency percentiles and peak RSS.
 */
import { Kafka, logLevel } from 'kafkajs';
import { Redis } from 'ioredis';
import { keyPrefix } from '@switchyard/bus';
import { deleteKeys } from '@switchyard/bus/testing';
import { loadConfig, type Config } from '@switchyard/config';
import { TOPICS, type Envelope } from '@switchyard/contracts';
import { systemClock } from '@switchyard/telemetry/clock';
import { createLogger, setLogLevel } from '@switchyard/telemetry/log';
import { startMockCluster } from '../../apps/launcher/src/kafka-mock';
import { startPipeline } from '../../pipeline/src/runtime';

/** Figures of one offered rate. */
export interface PipelineBenchResult {
  offeredPerS: number;
  durationS: number;
  accepted: number;
  delivered: number;
  /** Orders delivered per second over the load window plus the drain. */
  deliveredPerS: number;
  /** Messages per second produced on the pipeline topics. */
  eventsPerS: number;
  p50Ms: number;
  p99Ms: number;
  peakRssMb: number;
  /** Orders not delivered within the drain time. */
  undelivered: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Runs the pipeline at each offered rate in turn, on one fresh mock cluster. */
export async function runPipelineBench(rates: number[] = [100, 250, 500], durationS = 20, drainS = 30): Promise<PipelineBenchResult[]> {
  setLogLevel('error');
  const cluster = await startMockCluster();
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const results: PipelineBenchResult[] = [];
  try {
    for (const rate of rates) {
      const config: Config = { ...loadConfig({}), topicPrefix: `bench-${Date.now().toString(36)}` };
      const logger = createLogger('bench');
      const rt = await startPipeline({ config, kafkaBrokers: cluster.brokers, redisUrl, clock: systemClock, logger });
      await rt.faults.update({ timeScale: 0, paymentDeclineRate: 0 });
      const created = new Map<string, number>();
      const latencies: number[] = [];
      let messages = 0;
      const kafka = new Kafka({ clientId: 'bench', brokers: cluster.brokers, logLevel: logLevel.NOTHING });
      const watcher = kafka.consumer({ groupId: `bench-watch-${rate}-${Date.now()}`, maxWaitTimeInMs: 100 });
      await watcher.connect();
      await watcher.subscribe({ topics: Object.values(TOPICS).map((t) => `${config.topicPrefix}.${t}`), fromBeginning: true });
      await watcher.run({
        eachBatch: async ({ batch }) => {
          messages += batch.messages.length;
          if (!batch.topic.endsWith(`.${TOPICS.delivery}`)) return;
          for (const m of batch.messages) {
            const v = m.value?.toString();
            if (!v || !v.includes('"OrderDelivered"')) continue;
            const e = JSON.parse(v) as Envelope;
            const t0 = created.get(e.orderId);
            if (t0 !== undefined && e.type === 'OrderDelivered') latencies.push(Date.parse(e.occurredAt) - t0);
          }
        },
      });
      let peakRss = process.memoryUsage().rss;
      const rssTimer = setInterval(() => {
        peakRss = Math.max(peakRss, process.memoryUsage().rss);
      }, 250);
      // Offer orders through intake at the rate, recording when each was accepted.
      const started = Date.now();
      const { sampleOrder } = await import('@switchyard/contracts');
      let accepted = 0;
      let owed = 0;
      const inflight = new Set<Promise<void>>();
      while (Date.now() - started < durationS * 1000) {
        owed += rate / 20;
        for (; owed >= 1; owed--) {
          const order = sampleOrder();
          const at = Date.now();
          const p = rt.accept(order).then(
            () => {
              created.set(order.orderId, at);
              accepted++;
            },
            () => undefined,
          );
          inflight.add(p);
          void p.finally(() => inflight.delete(p));
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      await Promise.all(inflight);
      const loadEnd = Date.now();
      const deadline = loadEnd + drainS * 1000;
      while (latencies.length < accepted && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      const end = Date.now();
      clearInterval(rssTimer);
      const sorted = [...latencies].sort((a, b) => a - b);
      results.push({
        offeredPerS: rate,
        durationS,
        accepted,
        delivered: latencies.length,
        deliveredPerS: Math.round((latencies.length / ((end - started) / 1000)) * 10) / 10,
        eventsPerS: Math.round(messages / ((end - started) / 1000)),
        p50Ms: percentile(sorted, 50),
        p99Ms: percentile(sorted, 99),
        peakRssMb: Math.round(peakRss / 1048576),
        undelivered: accepted - latencies.length,
      });
      await watcher.disconnect();
      await rt.stop();
      const redis = new Redis(redisUrl);
      await deleteKeys(redis, keyPrefix(config));
      await deleteKeys(redis, `bull:${config.topicPrefix}.`);
      await redis.quit();
    }
  } finally {
    await cluster.stop();
  }
  return results;
}
