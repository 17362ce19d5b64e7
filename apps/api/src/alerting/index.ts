/**
 * Alerting: rules in `alerts/*.yaml` evaluated over ClickHouse (and the /metrics registry), Alertmanager-compatible
 * notifications through BullMQ, silences and acks in ClickHouse, and the routes that expose them.
 * `createAlerting` wires it all for the API process; the pieces are exported for tests and other layouts.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ConnectionOptions, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Store } from '@switchyard/store/types';
import type { Clock } from '@switchyard/telemetry/clock';
import type { Logger } from '@switchyard/telemetry/log';
import { Evaluator } from './evaluator';
import type { MetricReader } from './expr';
import { loadNotifyConfig, type NotifyConfig } from './notify/config';
import { NotificationQueue, startDeliveryWorker } from './notify/delivery';
import type { Notification } from './notify/dispatcher';
import { loadRules, type Rule } from './rules';

export { AlertingError, RuleFileError, type FileProblem } from './errors';
export { Evaluator, type EvaluatorOptions, type ActiveAlert, type RuleHealth, type TickResult, type NotificationSink } from './evaluator';
export { evaluateExpr, metricsFromRegistry, type MetricReader, type Sample } from './expr';
export { fingerprint, parseMatcher, matches, type Labels, type Matcher } from './labels';
export { Lease, type LeaseOptions } from './lease';
export { loadRules, validateRuleFile, parseDuration, type Rule, type Inhibit } from './rules';
export { alertingRoutes, type AlertingRouteDeps, type AlertingRole } from './routes';
export { loadNotifyConfig, parseNotifyConfig, type NotifyConfig, type Receiver, type Route } from './notify/config';
export { NotificationQueue, startDeliveryWorker, buildRequest, NOTIFY_QUEUE, type NotificationRecord } from './notify/delivery';
export { Dispatcher, type Notification } from './notify/dispatcher';
export { webhookPayload, alertmanagerPayload, type NotifyAlert, type WebhookPayload } from './notify/payload';
export { sign, verifySignature, SIGNATURE_HEADER } from './notify/sign';

/** Options of {@link createAlerting}. */
export interface AlertingOptions {
  store: Store;
  redis: Redis;
  /** BullMQ connection for the delivery queue and worker (ioredis options; the worker needs maxRetriesPerRequest null). */
  bullConnection: ConnectionOptions;
  clock: Clock;
  logger: Logger;
  /** Folder of rule files and `receivers.yaml` (default `alerts`, config `alertRulesDir`). */
  rulesDir?: string;
  /** Environment for receivers' `secret_env` (default {}). */
  env?: Record<string, string | undefined>;
  metrics?: MetricReader;
  /** Redis key prefix of the lease and BullMQ prefix base (default `switchyard:`). */
  redisPrefix?: string;
  /** Evaluation interval (default 5000 ms). */
  intervalMs?: number;
  /** Run the delivery worker in this process (default true). */
  deliver?: boolean;
}

/** The wired alerting of one process. */
export interface Alerting {
  rules: Rule[];
  notifyConfig: NotifyConfig | undefined;
  evaluator: Evaluator;
  queue: NotificationQueue | undefined;
  worker: Worker<Notification> | undefined;
  start(): void;
  stop(): Promise<void>;
}

/**
 * Loads and validates the rule files and `receivers.yaml` (throws RuleFileError naming file, rule and field), and
 * builds the evaluator, the delivery queue and the worker. Nothing runs until `start()`.
 */
export function createAlerting(opts: AlertingOptions): Alerting {
  const dir = opts.rulesDir ?? 'alerts';
  const rules = loadRules(dir);
  const receiversPath = [join(dir, 'receivers.yaml'), join(dir, 'receivers.yml')].find((p) => existsSync(p));
  const notifyConfig = receiversPath ? loadNotifyConfig(receiversPath, opts.env ?? {}) : undefined;
  const prefix = opts.redisPrefix ?? 'switchyard:';
  const bullPrefix = `${prefix}bull`;
  const queue = notifyConfig ? new NotificationQueue({ connection: opts.bullConnection, prefix: bullPrefix }) : undefined;
  const evaluator = new Evaluator({ store: opts.store, redis: opts.redis, rules, clock: opts.clock, logger: opts.logger, metrics: opts.metrics, redisPrefix: prefix, intervalMs: opts.intervalMs, notify: notifyConfig && queue ? { config: notifyConfig, sink: queue } : undefined });
  let worker: Worker<Notification> | undefined;
  return {
    rules,
    notifyConfig,
    evaluator,
    queue,
    get worker() {
      return worker;
    },
    start() {
      if (notifyConfig && opts.deliver !== false && !worker) worker = startDeliveryWorker({ connection: opts.bullConnection, prefix: bullPrefix, receivers: notifyConfig.receivers, clock: opts.clock, logger: opts.logger });
      evaluator.start();
    },
    async stop() {
      await evaluator.stop();
      await worker?.close();
      await queue?.close();
    },
  };
}
