/**
 * The alert evaluator. Every `intervalMs` (default 5 s), while it holds the Redis lease, it evaluates every rule and
 * moves each alert through inactive → pending → firing → resolved, honouring `for`; every transition is written to
 * `alert_history`. A rule whose expression fails (a missing table, a bad query) is in ERROR, recorded once as an
 * `error` row, and its alerts keep their state until it evaluates again. The firing and just-resolved alerts then go
 * to the dispatcher (grouping, silences, inhibition, acks) and the notifications it makes are queued for delivery.
 *
 * One evaluator at a time: a process without the lease does nothing; a process that takes it over restores the
 * pending and firing alerts from alert_history (so "since" survives a failover) and starts its groups afresh (a
 * group may thus be notified once more after a failover: a duplicate rather than a loss).
 */
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Store } from '@switchyard/store/types';
import type { Clock } from '@switchyard/telemetry/clock';
import type { Logger } from '@switchyard/telemetry/log';
import { evaluateExpr, type MetricReader } from './expr';
import { expandTemplate, fingerprint, type Labels } from './labels';
import { Lease } from './lease';
import { inhibitions, silencedBy } from './mutes';
import type { NotifyConfig } from './notify/config';
import { Dispatcher, type Notification } from './notify/dispatcher';
import type { NotifyAlert } from './notify/payload';
import { acksFor, latestStates, listSilences, writeTransitions, type Silence, type Transition } from './persist';
import type { Rule } from './rules';

/** Where notifications go (a NotificationQueue, or anything with `enqueue`). */
export interface NotificationSink {
  enqueue(n: Notification): Promise<void>;
}

/** Options of {@link Evaluator}. */
export interface EvaluatorOptions {
  store: Store;
  redis: Redis;
  rules: readonly Rule[];
  clock: Clock;
  logger: Logger;
  /** For `metric:` rules: the /metrics registry (see metricsFromRegistry). Absent: those rules are in ERROR. */
  metrics?: MetricReader;
  /** Notification routing and the delivery queue (default none: alerts are evaluated and recorded only). */
  notify?: { config: NotifyConfig; sink: NotificationSink };
  /** Prefix of the lease key `<prefix>alerting:lease` (default `switchyard:`). */
  redisPrefix?: string;
  /** Evaluation interval (default 5000 ms). */
  intervalMs?: number;
  /** Lease lifetime without renewal (default 3 × intervalMs). */
  leaseTtlMs?: number;
  /** This process's identity in the lease and in history rows (default host:pid:random). */
  owner?: string;
}

/** An alert the evaluator holds. */
export interface ActiveAlert {
  fingerprint: string;
  rule: string;
  labels: Labels;
  annotations: Labels;
  value: number | null;
  state: 'pending' | 'firing';
  activeAt: number;
  firedAt: number | null;
}

/** Health of one rule at its last evaluation. */
export interface RuleHealth {
  rule: string;
  health: 'ok' | 'error' | 'unknown';
  lastError: string | null;
  lastEvaluation: number | null;
}

/** What one tick did. */
export interface TickResult {
  /** False when another process holds the lease. */
  evaluated: boolean;
  fence: number;
  transitions: Transition[];
  notifications: Notification[];
}

/** The evaluator. Call `start()` for the periodic loop, or `tick()` directly (tests). */
export class Evaluator {
  private readonly alerts = new Map<string, ActiveAlert>();
  private readonly health = new Map<string, RuleHealth>();
  private readonly lease: Lease;
  private readonly owner: string;
  private readonly log: Logger;
  private dispatcher: Dispatcher | undefined;
  private leader = false;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(private readonly opts: EvaluatorOptions) {
    this.owner = opts.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.log = opts.logger.child('alerting.evaluator');
    const interval = opts.intervalMs ?? 5000;
    this.lease = new Lease(opts.redis, { key: `${opts.redisPrefix ?? 'switchyard:'}alerting:lease`, owner: this.owner, ttlMs: opts.leaseTtlMs ?? 3 * interval });
    for (const r of opts.rules) this.health.set(r.name, { rule: r.name, health: 'unknown', lastError: null, lastEvaluation: null });
  }

  /** True while this process holds the lease. */
  get isLeader(): boolean {
    return this.leader;
  }

  /** The alerts held (pending and firing), for the leader's own status views. */
  active(): ActiveAlert[] {
    return [...this.alerts.values()];
  }

  /** Health of every rule as this process last saw it. */
  ruleHealth(): RuleHealth[] {
    return [...this.health.values()];
  }

  /** Starts the loop: one tick in flight at a time, errors logged, timer unref'd. */
  start(): void {
    if (this.timer) return;
    const run = (): void => {
      this.running ??= this.tick()
        .catch((err: unknown) => this.log.warn('evaluation tick failed', { err }))
        .finally(() => {
          this.running = undefined;
        });
    };
    this.timer = setInterval(run, this.opts.intervalMs ?? 5000);
    this.timer.unref();
    run();
  }

  /** Stops the loop, waits for the tick in flight and gives the lease up. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
    if (this.leader) await this.lease.release();
    this.leader = false;
  }

  /** One evaluation round (only when holding the lease). */
  async tick(): Promise<TickResult> {
    const fence = await this.lease.acquire();
    if (fence === 0) {
      if (this.leader) this.log.info('lost the evaluator lease; another process evaluates now', { owner: this.owner });
      this.leader = false;
      this.alerts.clear();
      this.dispatcher = undefined;
      return { evaluated: false, fence, transitions: [], notifications: [] };
    }
    if (!this.leader) await this.takeOver(fence);
    const now = this.opts.clock.now();
    const transitions: Transition[] = [];
    const resolved: NotifyAlert[] = [];
    for (const rule of this.opts.rules) await this.evaluateRule(rule, now, fence, transitions, resolved);
    try {
      await writeTransitions(this.opts.store, transitions);
    } catch (err) {
      this.log.warn('could not record alert transitions', { err, count: transitions.length });
    }
    const notifications = await this.notify(now, fence, resolved);
    return { evaluated: true, fence, transitions, notifications };
  }

  private async takeOver(fence: number): Promise<void> {
    this.leader = true;
    this.alerts.clear();
    this.dispatcher = this.opts.notify ? new Dispatcher(this.opts.notify.config, this.opts.notify.config.externalURL) : undefined;
    const ruleNames = new Set(this.opts.rules.map((r) => r.name));
    try {
      for (const s of await latestStates(this.opts.store, ['pending', 'firing'])) {
        if (!ruleNames.has(s.rule)) continue;
        this.alerts.set(s.fingerprint, { ...s, state: s.state as 'pending' | 'firing', firedAt: s.state === 'firing' ? s.since : null });
      }
    } catch (err) {
      this.log.warn('could not restore alert state from alert_history; starting empty', { err });
    }
    this.log.info('took the evaluator lease', { owner: this.owner, fence, restored: this.alerts.size });
  }

  private row(a: Pick<ActiveAlert, 'fingerprint' | 'rule' | 'labels' | 'annotations' | 'value' | 'activeAt'>, state: Transition['state'], at: number, fence: number): Transition {
    return { at, fingerprint: a.fingerprint, rule: a.rule, labels: a.labels, state, value: a.value, annotations: a.annotations, activeAt: a.activeAt, fence, evaluator: this.owner };
  }

  private async evaluateRule(rule: Rule, now: number, fence: number, out: Transition[], resolved: NotifyAlert[]): Promise<void> {
    const res = await evaluateExpr(rule, { store: this.opts.store, metrics: this.opts.metrics }, now);
    const h = this.health.get(rule.name) ?? { rule: rule.name, health: 'unknown' as const, lastError: null, lastEvaluation: null };
    const ruleLabels = { alertname: rule.name };
    const ruleFp = fingerprint(ruleLabels);
    if (!res.ok) {
      if (h.health !== 'error' || h.lastError !== res.error.message) {
        this.log.warn('rule evaluation failed', { rule: rule.name, file: rule.file, code: res.error.code, err: res.error.message });
        out.push(this.row({ fingerprint: ruleFp, rule: rule.name, labels: ruleLabels, annotations: { error: res.error.message, code: res.error.code }, value: null, activeAt: now }, 'error', now, fence));
      }
      this.health.set(rule.name, { rule: rule.name, health: 'error', lastError: res.error.message, lastEvaluation: now });
      return;
    }
    if (h.health === 'error') out.push(this.row({ fingerprint: ruleFp, rule: rule.name, labels: ruleLabels, annotations: {}, value: null, activeAt: now }, 'ok', now, fence));
    this.health.set(rule.name, { rule: rule.name, health: 'ok', lastError: null, lastEvaluation: now });

    const seen = new Set<string>();
    const externalURL = this.opts.notify?.config.externalURL ?? '';
    for (const s of res.samples) {
      const labels: Labels = { ...s.labels, ...rule.labels, alertname: rule.name, severity: rule.severity };
      const fp = fingerprint(labels);
      if (seen.has(fp)) continue;
      seen.add(fp);
      const annotations: Labels = {};
      for (const [k, v] of Object.entries(rule.annotations)) if (v) annotations[k] = expandTemplate(v, labels, s.value, externalURL);
      const cur = this.alerts.get(fp);
      if (!cur) {
        const a: ActiveAlert = { fingerprint: fp, rule: rule.name, labels, annotations, value: s.value, state: rule.for === 0 ? 'firing' : 'pending', activeAt: now, firedAt: rule.for === 0 ? now : null };
        this.alerts.set(fp, a);
        out.push(this.row(a, a.state, now, fence));
        continue;
      }
      cur.value = s.value;
      cur.annotations = annotations;
      if (cur.state === 'pending' && now - cur.activeAt >= rule.for) {
        cur.state = 'firing';
        cur.firedAt = now;
        out.push(this.row(cur, 'firing', now, fence));
      }
    }
    for (const a of [...this.alerts.values()]) {
      if (a.rule !== rule.name || seen.has(a.fingerprint)) continue;
      this.alerts.delete(a.fingerprint);
      out.push(this.row(a, a.state === 'firing' ? 'resolved' : 'inactive', now, fence));
      if (a.state === 'firing') resolved.push(this.toNotify(a, 'resolved', now));
    }
  }

  private toNotify(a: ActiveAlert, status: 'firing' | 'resolved', now: number): NotifyAlert {
    const base = this.opts.notify?.config.externalURL ?? '';
    return { fingerprint: a.fingerprint, status, labels: a.labels, annotations: a.annotations, startsAt: a.firedAt ?? a.activeAt, endsAt: status === 'resolved' ? now : null, generatorURL: `${base}/#/alerts?fingerprint=${a.fingerprint}` };
  }

  private async notify(now: number, fence: number, resolved: NotifyAlert[]): Promise<Notification[]> {
    const n = this.opts.notify;
    if (!n || !this.dispatcher) return [];
    const firing = [...this.alerts.values()].filter((a) => a.state === 'firing');
    let silences: Silence[] = [];
    const acked = new Set<string>();
    try {
      silences = await listSilences(this.opts.store, now);
    } catch (err) {
      this.log.warn('could not read silences; notifying as if none', { err });
    }
    try {
      const byFp = new Map(firing.map((a) => [a.fingerprint, a.activeAt]));
      for (const ack of await acksFor(this.opts.store, [...byFp.keys()])) if (byFp.get(ack.fingerprint) === ack.activeAt) acked.add(ack.fingerprint);
    } catch (err) {
      this.log.warn('could not read acks; notifying as if none', { err });
    }
    const silenced = new Set(firing.filter((a) => silencedBy(silences, a.labels, now).length > 0).map((a) => a.fingerprint));
    const inhibited = new Set(inhibitions([...this.alerts.values()], this.opts.rules).keys());
    const due = this.dispatcher.tick([...firing.map((a) => this.toNotify(a, 'firing', now)), ...resolved], { silenced, inhibited, acked }, now);
    if (due.length === 0) return due;
    // Fencing: only the current holder enqueues; a process that lost the lease mid-tick drops its notifications.
    if ((await this.lease.acquire()) !== fence) {
      this.log.warn('lease changed during the tick; dropping its notifications', { fence });
      this.leader = false;
      return [];
    }
    for (const x of due) await n.sink.enqueue(x);
    return due;
  }
}
