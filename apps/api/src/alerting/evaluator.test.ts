// The evaluator end to end against real chDB, Redis (lease + BullMQ delivery) and a real HTTP receiver: firing and
// resolved notifications for a lag breach, grouping, silences, a receiver that is down, acks, inhibition, ERROR rules.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import type { Store } from '@switchyard/store/types';
import { manualClock } from '@switchyard/telemetry/clock';
import { Evaluator } from './evaluator';
import { ackAlert, deleteSilence, listAlerts, postSilence } from './handlers';
import { fingerprint } from './labels';
import { parseNotifyConfig } from './notify/config';
import { NotificationQueue, startDeliveryWorker } from './notify/delivery';
import type { WebhookPayload } from './notify/payload';
import { verifySignature } from './notify/sign';
import { readHistory } from './persist';
import { loadRules, type Rule } from './rules';
import { deletePrefix, eventually, inlineRules, openTestStore, quietLogger, startReceiver, testRedis, type TestReceiver } from './testkit';

let store: Store;
let dispose: () => Promise<void>;
let redis: Redis;
const DAY = 86_400_000;
// Each test runs its clock on its own day (within retention), so the tests' rows never meet in a rule's window.
let day = 1;
const SECRET = 'test-secret';

beforeAll(async () => {
  ({ store, dispose } = await openTestStore());
  redis = testRedis();
});
afterAll(async () => {
  await dispose();
  redis.disconnect();
});

interface Harness {
  clock: ReturnType<typeof manualClock>;
  ev: Evaluator;
  queue: NotificationQueue;
  receiver: TestReceiver;
  done: () => Promise<void>;
}

async function harness(rules: Rule[], timing: { group_by?: string[]; group_wait?: string; group_interval?: string; repeat_interval?: string } = {}): Promise<Harness> {
  const prefix = `t-${randomUUID()}:`;
  const clock = manualClock(Date.now() - 10 * DAY + day++ * DAY);
  const receiver = await startReceiver();
  const config = parseNotifyConfig('test-receivers.yaml', {
    receivers: [{ name: 'hook', url: `${receiver.url}/hook`, secret: SECRET }],
    defaults: { group_wait: '0s', group_interval: '1s', repeat_interval: '1h', ...timing },
    routes: [{ receiver: 'hook' }],
  });
  const queue = new NotificationQueue({ connection: redis, prefix: `${prefix}bull`, attempts: 30, backoffMs: 50 });
  const worker = startDeliveryWorker({ connection: redis, prefix: `${prefix}bull`, receivers: config.receivers, clock, logger: quietLogger });
  const ev = new Evaluator({ store, redis, rules, clock, logger: quietLogger, notify: { config, sink: queue }, redisPrefix: prefix });
  return {
    clock,
    ev,
    queue,
    receiver,
    done: async () => {
      await ev.stop();
      await worker.close();
      await queue.close();
      await receiver.close();
      await deletePrefix(redis, prefix);
    },
  };
}

async function lag(group: string, topic: string, ts: number, seconds: number): Promise<void> {
  const res = await store.insert('consumer_lag', [{ ts: new Date(ts), group, topic, partition: 0, committed: 10, log_end: 20, low: 0, lag_messages: 10, lag_seconds: seconds }]);
  expect(res.ok).toBe(true);
}

const payloads = (r: TestReceiver): WebhookPayload[] => r.requests.map((x) => x.json as WebhookPayload);

/** A rule firing at once for every lag row of `group` in the last minute, one alert per topic. */
const lagRule = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  sql: `SELECT group, topic, max(lag_seconds) AS value FROM consumer_lag
        WHERE group = {group:String} AND ts > {now:DateTime64(3, 'UTC')} - INTERVAL 1 MINUTE AND ts <= {now:DateTime64(3, 'UTC')}
        GROUP BY group, topic HAVING value > 10`,
  severity: 'warning',
  annotations: { summary: 'lag on {{ $labels.topic }}', console_url: '/#/consumer-groups?group={{ $labels.group }}' },
  ...extra,
});

describe('alert evaluator', () => {
  it('sends a firing and then a resolved notification for a lag breach (shipped ConsumerLagHigh rule)', async () => {
    const rule = loadRules('alerts').find((r) => r.name === 'ConsumerLagHigh');
    if (!rule) throw new Error('ConsumerLagHigh is not shipped');
    const h = await harness([rule]);
    const group = `payments-${randomUUID().slice(0, 8)}`;
    try {
      const t0 = h.clock.now();
      await lag(group, 'orders', t0, 120);
      const first = await h.ev.tick();
      expect(first.transitions.map((t) => t.state)).toEqual(['pending']);
      expect(first.notifications).toHaveLength(0);

      h.clock.advance(61_000);
      await lag(group, 'orders', h.clock.now(), 150);
      const second = await h.ev.tick();
      expect(second.transitions.map((t) => t.state)).toEqual(['firing']);
      await h.receiver.waitFor(1);
      const firing = payloads(h.receiver)[0];
      expect(firing).toMatchObject({ version: '4', status: 'firing', receiver: 'hook', truncatedAlerts: 0, groupLabels: { alertname: 'ConsumerLagHigh' } });
      const alert = firing?.alerts[0];
      expect(alert?.labels).toEqual({ alertname: 'ConsumerLagHigh', severity: 'warning', team: 'platform', group, topic: 'orders' });
      expect(alert?.fingerprint).toBe(fingerprint(alert?.labels ?? {}));
      expect(alert?.endsAt).toBe('0001-01-01T00:00:00Z');
      expect(alert?.annotations.console_url).toBe(`/#/consumer-groups?group=${group}`);
      expect(alert?.annotations.summary).toBe(`Consumer group ${group} is 150s behind on orders`);
      const req = h.receiver.requests[0];
      expect(verifySignature(req?.headers['x-switchyard-signature'] as string, req?.body ?? '', SECRET, { nowSeconds: h.clock.now() / 1000 })).toBe(true);
      expect(verifySignature(req?.headers['x-switchyard-signature'] as string, `${req?.body} `, SECRET, { nowSeconds: h.clock.now() / 1000 })).toBe(false);

      h.clock.advance(61_000);
      await lag(group, 'orders', h.clock.now(), 4);
      const third = await h.ev.tick();
      expect(third.transitions.map((t) => t.state)).toEqual(['resolved']);
      await h.receiver.waitFor(2);
      const resolved = payloads(h.receiver)[1];
      expect(resolved?.status).toBe('resolved');
      expect(resolved?.alerts[0]?.fingerprint).toBe(alert?.fingerprint);
      expect(resolved?.alerts[0]?.endsAt).toBe(new Date(h.clock.now()).toISOString());

      const history = await readHistory(store, { fingerprint: alert?.fingerprint, from: t0 - 1, to: h.clock.now(), limit: 10 });
      expect(history.map((x) => x.state).reverse()).toEqual(['pending', 'firing', 'resolved']);
      const { alerts } = await listAlerts({ store, clock: h.clock, rules: [rule] }, { state: 'resolved' });
      expect(alerts.find((a) => a.fingerprint === alert?.fingerprint)?.since).toBe(new Date(h.clock.now()).toISOString());
    } finally {
      await h.done();
    }
  });

  it('sends N alerts of one group as one notification, and does not repeat an unchanged group', async () => {
    const group = `kitchen-${randomUUID().slice(0, 8)}`;
    const h = await harness(inlineRules([{ ...lagRule('GroupedLag'), params: { group } }]), { group_by: ['alertname', 'group'], group_wait: '10s' });
    try {
      for (const topic of ['a', 'b', 'c']) await lag(group, topic, h.clock.now(), 60);
      const first = await h.ev.tick();
      expect(first.transitions.filter((t) => t.state === 'firing')).toHaveLength(3);
      expect(first.notifications).toHaveLength(0); // group_wait gathers them
      h.clock.advance(10_000);
      for (const topic of ['a', 'b', 'c']) await lag(group, topic, h.clock.now(), 61);
      const second = await h.ev.tick();
      expect(second.notifications).toHaveLength(1);
      await h.receiver.waitFor(1);
      const p = payloads(h.receiver)[0];
      expect(p?.alerts.map((a) => a.labels.topic).sort()).toEqual(['a', 'b', 'c']);
      expect(p?.groupLabels).toEqual({ alertname: 'GroupedLag', group });
      expect(p?.commonLabels).toEqual({ alertname: 'GroupedLag', severity: 'warning', group });
      h.clock.advance(2_000);
      for (const topic of ['a', 'b', 'c']) await lag(group, topic, h.clock.now(), 62);
      expect((await h.ev.tick()).notifications).toHaveLength(0);
    } finally {
      await h.done();
    }
  });

  it('a silence suppresses notifications and its expiry restores them', async () => {
    const group = `silenced-${randomUUID().slice(0, 8)}`;
    const rules = inlineRules([{ ...lagRule('SilencedLag'), params: { group } }]);
    const h = await harness(rules);
    const deps = { store, clock: h.clock, rules };
    try {
      const silence = await postSilence(deps, { matchers: [{ name: 'group', op: '=', value: group }], endsAt: h.clock.now() + 3_600_000, createdBy: 'test', comment: 'maintenance' });
      await lag(group, 'orders', h.clock.now(), 50);
      const first = await h.ev.tick();
      expect(first.transitions.map((t) => t.state)).toEqual(['firing']);
      expect(first.notifications).toHaveLength(0);
      const view = (await listAlerts(deps, { state: 'firing' })).alerts.find((a) => a.labels.group === group);
      expect(view?.silencedBy).toEqual([silence.id]);

      h.clock.advance(2_000);
      await deleteSilence(deps, silence.id);
      await lag(group, 'orders', h.clock.now(), 50);
      const after = await h.ev.tick();
      expect(after.notifications).toHaveLength(1);
      await h.receiver.waitFor(1);
      expect(payloads(h.receiver)[0]?.alerts[0]?.labels.group).toBe(group);
    } finally {
      await h.done();
    }
  });

  it('delivers to a receiver that was down once it is back, each notification exactly once', async () => {
    const group = `down-${randomUUID().slice(0, 8)}`;
    const h = await harness(inlineRules([{ ...lagRule('DownLag'), params: { group } }]));
    try {
      await h.receiver.down();
      await lag(group, 'orders', h.clock.now(), 50);
      const [n] = (await h.ev.tick()).notifications;
      // Wait until delivery has failed at least twice (the job is retrying with backoff), then bring the receiver back.
      await eventually(async () => ((await h.queue.queue.getJob(n?.id ?? ''))?.attemptsMade ?? 0) >= 2 || undefined);
      await h.receiver.up();
      await h.receiver.waitFor(1);
      h.clock.advance(61_000);
      const resolved = await h.ev.tick();
      expect(resolved.notifications).toHaveLength(1);
      await h.receiver.waitFor(2);
      await eventually(async () => ((await h.queue.queue.getJobCounts('completed')).completed === 2 ? true : undefined));
      const counts = await h.queue.queue.getJobCounts('waiting', 'delayed', 'active', 'failed');
      expect(counts).toEqual({ waiting: 0, delayed: 0, active: 0, failed: 0 });
      expect(payloads(h.receiver).map((p) => p.status)).toEqual(['firing', 'resolved']);
      const ids = h.receiver.requests.map((r) => r.headers['x-switchyard-notification-id']);
      expect(new Set(ids).size).toBe(2);
    } finally {
      await h.done();
    }
  });

  it('does not re-notify an acked alert until it changes state', async () => {
    const group = `acked-${randomUUID().slice(0, 8)}`;
    const rules = inlineRules([{ ...lagRule('AckedLag'), params: { group } }]);
    const h = await harness(rules, { repeat_interval: '1s' });
    try {
      const tickAt = async (seconds: number) => {
        await lag(group, 'orders', h.clock.now(), seconds);
        return h.ev.tick();
      };
      expect((await tickAt(50)).notifications).toHaveLength(1);
      h.clock.advance(2_000);
      expect((await tickAt(50)).notifications).toHaveLength(1); // repeat_interval passed: re-sent
      const fp = (await listAlerts({ store, clock: h.clock, rules }, { state: 'firing' })).alerts.find((a) => a.labels.group === group)?.fingerprint ?? '';
      const ack = await ackAlert({ store, clock: h.clock, rules }, fp, { by: 'alice', comment: 'looking' });
      expect(ack.by).toBe('alice');
      h.clock.advance(2_000);
      expect((await tickAt(50)).notifications).toHaveLength(0);
      const shown = (await listAlerts({ store, clock: h.clock, rules }, { state: 'firing' })).alerts.find((a) => a.fingerprint === fp);
      expect(shown?.ack).toMatchObject({ by: 'alice', comment: 'looking' });
      h.clock.advance(61_000);
      const resolved = await h.ev.tick();
      expect(resolved.notifications.map((n) => n.alerts[0]?.status)).toEqual(['resolved']);
      await h.receiver.waitFor(3);
    } finally {
      await h.done();
    }
  });

  it('a STOPPED group inhibits its own lag alerts', async () => {
    const group = `stopped-${randomUUID().slice(0, 8)}`;
    const rules = inlineRules([
      { ...lagRule('InhibitedLag'), params: { group } },
      {
        name: 'StoppedGroup',
        sql: `SELECT group, 1 AS value FROM consumer_group_status WHERE group = {group:String} AND ts > {now:DateTime64(3, 'UTC')} - INTERVAL 1 MINUTE GROUP BY group HAVING argMax(status, ts) = 'STOPPED'`,
        params: { group },
        severity: 'critical',
        annotations: { summary: 'stopped' },
        inhibits: [{ target_matchers: ['alertname="InhibitedLag"'], equal: ['group'] }],
      },
    ]);
    const h = await harness(rules);
    try {
      await lag(group, 'orders', h.clock.now(), 50);
      await store.insert('consumer_group_status', [{ ts: new Date(h.clock.now()), group, status: 'STOPPED', lag_messages: 10, lag_seconds: 50, partitions: 1, topics: ['orders'], reason: 'no members' }]);
      const t = await h.ev.tick();
      expect(t.transitions.filter((x) => x.state === 'firing')).toHaveLength(2);
      expect(t.notifications.flatMap((n) => n.alerts.map((a) => a.labels.alertname))).toEqual(['StoppedGroup']);
      const views = (await listAlerts({ store, clock: h.clock, rules }, { state: 'firing' })).alerts.filter((a) => a.labels.group === group);
      const stopped = views.find((a) => a.rule === 'StoppedGroup');
      expect(views.find((a) => a.rule === 'InhibitedLag')?.inhibitedBy).toBe(stopped?.fingerprint);
    } finally {
      await h.done();
    }
  });

  it('a rule over a missing table is in ERROR (recorded, visible) while the other rules evaluate', async () => {
    const group = `err-${randomUUID().slice(0, 8)}`;
    const rules = inlineRules([
      { name: 'ReadsMissingTable', sql: 'SELECT 1 AS value FROM table_nobody_made', severity: 'info', annotations: { summary: 'x' } },
      { ...lagRule('StillEvaluated'), params: { group } },
    ]);
    const h = await harness(rules);
    try {
      await lag(group, 'orders', h.clock.now(), 50);
      const t = await h.ev.tick();
      expect(t.transitions.map((x) => `${x.rule}:${x.state}`).sort()).toEqual(['ReadsMissingTable:error', 'StillEvaluated:firing']);
      expect(h.ev.ruleHealth().find((r) => r.rule === 'ReadsMissingTable')).toMatchObject({ health: 'error' });
      const { ruleErrors } = await listAlerts({ store, clock: h.clock, rules });
      expect(ruleErrors.find((e) => e.rule === 'ReadsMissingTable')?.error).toMatch(/table_nobody_made/);
      h.clock.advance(5_000);
      expect((await h.ev.tick()).transitions.filter((x) => x.state === 'error')).toHaveLength(0); // recorded once
    } finally {
      await h.done();
    }
  });
});
