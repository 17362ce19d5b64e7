/**
 * The pipeline overview the console's first page reads: per stage (consumer group and the topic it consumes), the
 * rate in (messages produced to its topic) and out (messages its service produced) per second over the last
 * minute, from `events`; lag and status from the latest consumer_group_status row; retry and error rates from the
 * group's retry and dead-letter topics; dead letters waiting; plus order-to-delivery p50/p99 per time bucket.
 */
import { readFileSync } from 'node:fs';
import { deadLetterTopic, retryTopic } from '@switchyard/bus/types';
import { prefixed } from '@switchyard/config';
import { GROUPS, TOPICS } from '@switchyard/contracts/topics';
import type { Ctx } from '../types';
import { window } from './insights';

const q = (name: string): string => readFileSync(new URL(`./sql/${name}.sql`, import.meta.url), 'utf8');
const RATES = q('overview-rates');
const STATUS = q('overview-status');
const DLQ = q('overview-dlq');
const DELIVERY = q('overview-delivery');

/** The reference pipeline's stages: group, the topic it consumes, and the service that produces its output. */
export const STAGES: readonly { stage: keyof typeof GROUPS; topic: string; service: string }[] = [
  { stage: 'inventory', topic: TOPICS.orders, service: 'inventory' },
  { stage: 'payment', topic: TOPICS.inventory, service: 'payment' },
  { stage: 'eta', topic: TOPICS.payments, service: 'eta' },
  { stage: 'kitchen', topic: TOPICS.eta, service: 'kitchen' },
  { stage: 'dispatch', topic: TOPICS.kitchen, service: 'dispatch' },
  { stage: 'tracking', topic: TOPICS.delivery, service: 'tracking' },
  { stage: 'notifier', topic: TOPICS.delivery, service: 'notifier' },
  { stage: 'loyalty', topic: TOPICS.delivery, service: 'loyalty' },
];

/** Window of the rates, ms. */
export const RATE_WINDOW_MS = 60_000;

/** One stage of the overview. */
export interface StageView {
  stage: string;
  group: string;
  topic: string;
  rateIn: number;
  rateOut: number;
  lagMessages: number | null;
  lagSeconds: number | null;
  status: string | null;
  retryRate: number;
  errorRate: number;
  dlqCount: number;
}

/** The overview. */
export interface Overview {
  at: string;
  windowSeconds: number;
  stages: StageView[];
  delivery: { bucketSeconds: number; buckets: { start: string; orders: number; p50: number | null; p99: number | null }[] };
}

type N = string | number | null;

/** Builds the overview; delivery buckets over ?from&to (default the last hour) of `bucket` seconds (default 60). */
export async function overview(ctx: Ctx, opts: { from?: string; to?: string; bucket?: number }): Promise<Overview> {
  const now = ctx.clock.now();
  const name = (n: string): string => prefixed(ctx.config, n);
  const stages = STAGES.map((s) => ({ ...s, group: name(GROUPS[s.stage]), topic: name(s.topic) }));
  const groups = stages.map((s) => s.group);
  const topics = [...new Set([...stages.map((s) => s.topic), ...groups.map(retryTopic), ...groups.map(deadLetterTopic)])];
  const since = new Date(now - RATE_WINDOW_MS);
  const w = window(ctx, opts, 3_600_000);
  const bucket = opts.bucket ?? 60;
  const [rates, status, dlq, delivery] = await Promise.all([
    ctx.store.query<{ kind: string; name: string; n: N }>(RATES, { since, topics, sources: stages.map((s) => s.service) }),
    ctx.store.query<{ group: string; status: string; lag_messages: N; lag_seconds: N }>(STATUS, { since: new Date(now - 86_400_000), groups }),
    ctx.store.query<{ topic: string; n: N }>(DLQ, { topics: groups.map(deadLetterTopic) }),
    ctx.store.query<{ start: string; n: N; p50: N; p99: N }>(DELIVERY, { ...w, bucket }),
  ]);
  const perTopic = new Map(rates.filter((r) => r.kind === 'topic').map((r) => [r.name, Number(r.n)]));
  const perSource = new Map(rates.filter((r) => r.kind === 'source').map((r) => [r.name, Number(r.n)]));
  const st = new Map(status.map((r) => [r.group, r]));
  const dl = new Map(dlq.map((r) => [r.topic, Number(r.n)]));
  const perSec = (n: number | undefined): number => Math.round(((n ?? 0) / (RATE_WINDOW_MS / 1000)) * 1000) / 1000;
  const num = (v: N | undefined): number | null => (v === null || v === undefined || Number.isNaN(Number(v)) ? null : Number(v));
  return {
    at: new Date(now).toISOString(),
    windowSeconds: RATE_WINDOW_MS / 1000,
    stages: stages.map((s) => {
      const row = st.get(s.group);
      const retries = perTopic.get(retryTopic(s.group)) ?? 0;
      const dead = perTopic.get(deadLetterTopic(s.group)) ?? 0;
      return {
        stage: s.stage,
        group: s.group,
        topic: s.topic,
        rateIn: perSec(perTopic.get(s.topic)),
        rateOut: perSec(perSource.get(s.service)),
        lagMessages: num(row?.lag_messages),
        lagSeconds: num(row?.lag_seconds),
        status: row?.status ?? null,
        retryRate: perSec(retries),
        errorRate: perSec(retries + dead),
        dlqCount: dl.get(deadLetterTopic(s.group)) ?? 0,
      };
    }),
    delivery: {
      bucketSeconds: bucket,
      buckets: delivery.map((b) => ({ start: `${String(b.start).replace(' ', 'T')}Z`, orders: Number(b.n), p50: num(b.p50), p99: num(b.p99) })),
    },
  };
}
