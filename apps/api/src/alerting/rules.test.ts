// Rule and receiver files: validation errors name the file, the rule and the field; the shipped files load; every
// shipped SQL rule runs on a freshly migrated store; matchers and fingerprints behave as Alertmanager's.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '@switchyard/store/types';
import { RuleFileError } from './errors';
import { evaluateExpr } from './expr';
import { expandTemplate, fingerprint, matches, parseMatcher } from './labels';
import { loadNotifyConfig } from './notify/config';
import { loadRules } from './rules';
import { openTestStore } from './testkit';

let store: Store;
let dispose: () => Promise<void>;
beforeAll(async () => {
  ({ store, dispose } = await openTestStore());
});
afterAll(() => dispose());

const caught = (fn: () => unknown): RuleFileError => {
  try {
    fn();
  } catch (err) {
    if (err instanceof RuleFileError) return err;
    throw err;
  }
  throw new Error('expected a RuleFileError');
};

describe('rule files', () => {
  it('names the file, the rule and the field of every problem', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rules-'));
    try {
      writeFileSync(
        join(dir, 'bad.yaml'),
        `rules:
  - name: LagTooHigh
    sql: SELECT group, 1 AS value FROM consumer_lag
    for: five minutes
    severity: urgent
    annotations: { summary: s }
  - name: NoExpr
    severity: info
    annotations: { summary: s }
  - name: BadMatcher
    metric: { name: switchyard_dead_letters, op: ">", threshold: 1, matchers: ['topic=~"("'] }
    severity: info
    annotations: { summary: s }
`,
      );
      writeFileSync(join(dir, 'broken.yaml'), 'rules: [\n');
      const ok = '{ name: Twice, sql: "SELECT 1 AS value", severity: info, annotations: { summary: s } }';
      writeFileSync(join(dir, 'dup.yaml'), `rules:\n  - ${ok}\n  - ${ok}\n`);
      const err = caught(() => loadRules(dir));
      const where = err.problems.map((p) => `${p.file.replace(dir + '/', '')}|${p.rule}|${p.field}`);
      expect(where).toEqual(
        expect.arrayContaining(['bad.yaml|LagTooHigh|for', 'bad.yaml|LagTooHigh|severity', 'bad.yaml|NoExpr|sql', 'bad.yaml|BadMatcher|metric.matchers.0', 'dup.yaml|Twice|name']),
      );
      expect(where.some((w) => w.startsWith('broken.yaml|(file)|line'))).toBe(true);
      expect(err.message).toContain(`${join(dir, 'bad.yaml')}: LagTooHigh: for: "five minutes" is not a duration`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('loads the shipped rules and receivers, and every shipped SQL rule runs on a fresh store', async () => {
    const rules = loadRules('alerts');
    expect(rules.map((r) => r.name)).toEqual(
      expect.arrayContaining(['ConsumerLagHigh', 'ConsumerGroupStalled', 'ConsumerGroupStopped', 'DeadLetterGrowth', 'RetryRateSpike', 'QueueWaitP99High', 'OrderDeliverySLOFastBurn', 'OrderDeliverySLOSlowBurn', 'InferenceErrorHigh', 'InferenceFeatureDrift', 'CostPerOrderHigh', 'CollectorDown']),
    );
    for (const r of rules.filter((x) => x.sql)) {
      const res = await evaluateExpr(r, { store }, Date.now());
      expect(res.ok ? 'ok' : `${r.name}: ${res.error.message}`).toBe('ok');
    }
    const cfg = loadNotifyConfig('alerts/receivers.yaml', { SWITCHYARD_ALERT_WEBHOOK_URL: 'http://127.0.0.1:1/hook' });
    expect([...cfg.receivers.keys()]).toEqual(['oncall']);
    expect(cfg.disabled).toEqual(['alertmanager']);
    expect(cfg.routes.map((r) => r.receiver)).toEqual(['oncall', 'oncall']);
  });

  it('fires the shipped SLO fast-burn rule on late deliveries in both windows', async () => {
    const rule = loadRules('alerts').find((r) => r.name === 'OrderDeliverySLOFastBurn');
    if (!rule) throw new Error('missing');
    const now = Date.now();
    const rows = Array.from({ length: 40 }, (_, i) => ({
      topic: 'orders.slo-test', partition: 0, offset: i, key: `o${i}`, event_id: `e${i}`, type: 'OrderDelivered', version: 1, order_id: `o${i}`,
      trace_id: '', span_id: '', causation_id: '', correlation_id: '', source: 'test', bytes: 10,
      produced_at: new Date(now - (i % 2 === 0 ? 60_000 : 1_800_000)), tapped_at: new Date(now), headers: {},
      payload: JSON.stringify({ data: { actualMinutes: i % 4 === 0 ? 90 : 30 } }), is_retry: false, is_dlq: false, replay_id: '', redrive_id: '',
    }));
    expect((await store.insert('events', rows)).ok).toBe(true);
    const res = await evaluateExpr(rule, { store }, now);
    if (!res.ok) throw res.error;
    // 25% late over 1h, 50% over 5m: burn min(25, 50) = 25x > 14.4.
    expect(res.samples.map((x) => x.labels)).toEqual([{ window: '1h/5m' }]);
    expect(res.samples[0]?.value).toBeCloseTo(25, 6);
  });

  it('validates receivers with the file, the receiver and the field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'recv-'));
    try {
      const path = join(dir, 'receivers.yaml');
      writeFileSync(path, 'receivers:\n  - { name: a, url: not-a-url }\nroutes:\n  - { receiver: b, group_wait: soon }\n');
      const where = caught(() => loadNotifyConfig(path)).problems.map((p) => `${p.rule}|${p.field}`);
      expect(where).toEqual(expect.arrayContaining(['receivers[0]|url', 'routes[0]|group_wait']));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('labels', () => {
  it('computes Alertmanager fingerprints (FNV-1a 64 over sorted labels)', () => {
    // Prometheus model: LabelSet{}.Fingerprint() is the FNV-1a offset basis.
    expect(fingerprint({})).toBe('cbf29ce484222325');
    expect(fingerprint({ b: '2', a: '1' })).toBe(fingerprint({ a: '1', b: '2' }));
    expect(fingerprint({ a: '1' })).not.toBe(fingerprint({ a: '2' }));
  });
  it('matches =, !=, =~ (anchored) and !~', () => {
    const l = { group: 'payments', topic: 'orders' };
    expect(matches(parseMatcher('group="payments"'), l)).toBe(true);
    expect(matches(parseMatcher('group!=payments'), l)).toBe(false);
    expect(matches(parseMatcher('topic=~"ord"'), l)).toBe(false);
    expect(matches(parseMatcher('topic=~"ord.*"'), l)).toBe(true);
    expect(matches(parseMatcher('missing!~".+"'), l)).toBe(true);
    expect(() => parseMatcher('topic=~"("')).toThrow(/bad regular expression/);
  });
  it('expands annotation templates', () => {
    expect(expandTemplate('/#/consumer-groups?group={{ $labels.group }} at {{ $value }}', { group: 'g1' }, 12.34567)).toBe('/#/consumer-groups?group=g1 at 12.346');
  });
});
