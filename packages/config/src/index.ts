/**
 * Switchyard configuration: parsed once at start-up from the environment (and an optional JSON file named by
 * `SWITCHYARD_CONFIG`) into one typed, validated object. Nothing else in the code base reads `process.env`.
 *
 * Every option is listed in {@link OPTIONS} with its environment variable, its default and what it does; the
 * configuration reference in docs/configuration.md is generated from that table.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const bool = z
  .union([z.boolean(), z.enum(['true', 'false', '1', '0', 'yes', 'no'])])
  .transform((v) => v === true || v === 'true' || v === '1' || v === 'yes');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const list = z.union([z.array(z.string()), z.string()]).transform((v) =>
  (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter((s) => s.length > 0),
);

/** One documented option: its environment variable, its schema (with the default), and a line of help. */
interface Option {
  env: string;
  schema: z.ZodType;
  help: string;
}

/** Every configuration option. The key is the property name in {@link Config}. */
export const OPTIONS = {
  port: { env: 'PORT', schema: int(0, 65535).default(8080), help: 'HTTP port of the API, console, OTLP receiver and order intake (0 picks a free port).' },
  host: { env: 'HOST', schema: z.string().default('127.0.0.1'), help: 'Address the HTTP server binds to. Loopback by default.' },
  kafkaBrokers: { env: 'KAFKA_BROKERS', schema: list.default([]), help: 'Comma-separated Kafka bootstrap brokers. Empty: the launcher starts librdkafka\'s mock cluster through kcat.' },
  kafkaClientId: { env: 'KAFKA_CLIENT_ID', schema: z.string().default('switchyard'), help: 'Kafka client id prefix.' },
  mockBrokers: { env: 'SWITCHYARD_MOCK_BROKERS', schema: int(1, 5).default(1), help: 'Number of brokers in the mock cluster (embedded default only).' },
  redisUrl: { env: 'REDIS_URL', schema: z.string().default(''), help: 'Redis URL for BullMQ, idempotency and the control channel. Empty: 127.0.0.1:6379, else a redis-server the launcher starts.' },
  clickhouseUrl: { env: 'CLICKHOUSE_URL', schema: z.string().default(''), help: 'ClickHouse server URL (http://user:pass@host:8123/db). Empty: embedded chDB under DATA_DIR.' },
  clickhouseDatabase: { env: 'CLICKHOUSE_DATABASE', schema: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).default('switchyard'), help: 'Database that holds Switchyard\'s tables.' },
  clickhouseCluster: {
    env: 'CLICKHOUSE_CLUSTER',
    schema: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).or(z.literal('')).default(''),
    help: 'Name of a ClickHouse cluster (remote_servers) to create the tables on: Replicated engines ON CLUSTER plus Distributed tables of the same names (docs/operations.md). Needs CLICKHOUSE_URL. Empty: one server.',
  },
  dataDir: { env: 'DATA_DIR', schema: z.string().default('./data'), help: 'Folder of the embedded ClickHouse (chDB). One process per folder.' },
  retentionDays: { env: 'SWITCHYARD_RETENTION_DAYS', schema: int(1, 3650).default(14), help: 'Days that event, lag and queue rows are kept (ClickHouse TTL).' },
  adminToken: { env: 'SWITCHYARD_ADMIN_TOKEN', schema: z.string().default(''), help: 'The first admin API token. Empty: one is generated and printed once at first start.' },
  topicPrefix: { env: 'SWITCHYARD_TOPIC_PREFIX', schema: z.string().regex(/^[A-Za-z0-9._-]*$/).default(''), help: 'Prefix for every pipeline topic, queue and Redis key (lets several pipelines share a broker).' },
  pipeline: { env: 'SWITCHYARD_PIPELINE', schema: bool.default(true), help: 'Run the reference pipeline (the services of SWITCHYARD_SERVICES, and order intake) in this process.' },
  services: { env: 'SWITCHYARD_SERVICES', schema: list.default([]), help: 'Pipeline services to run in this process (empty: all). Used when each service runs as its own process.' },
  collectors: { env: 'SWITCHYARD_COLLECTORS', schema: list.default([]), help: 'Collectors to run in this process: tap, lag, queues, dlq, inference, traces (empty: all; `none`: none).' },
  serveApi: { env: 'SWITCHYARD_API', schema: bool.default(true), help: 'Serve the API and the console in this process.' },
  maxAttempts: { env: 'SWITCHYARD_MAX_ATTEMPTS', schema: int(1, 50).default(4), help: 'Attempts per message (first try plus retries) before it goes to the dead-letter topic.' },
  retryBackoffMs: { env: 'SWITCHYARD_RETRY_BACKOFF_MS', schema: int(0, 600_000).default(200), help: 'Base delay of the retry topics; attempt n waits base * 2^(n-1).' },
  idempotencyTtlSeconds: { env: 'SWITCHYARD_IDEMPOTENCY_TTL_S', schema: int(1, 30 * 86400).default(86400), help: 'How long a processed event id is remembered in Redis.' },
  lagIntervalMs: { env: 'SWITCHYARD_LAG_INTERVAL_MS', schema: int(100, 600_000).default(5000), help: 'How often the lag collector sweeps every consumer group.' },
  lagGroups: { env: 'SWITCHYARD_LAG_GROUPS', schema: list.default([]), help: 'Consumer groups the lag collector always looks up, on top of those the broker lists.' },
  alertRulesDir: { env: 'SWITCHYARD_ALERT_RULES', schema: z.string().default('alerts'), help: 'Folder of alert rule YAML files.' },
  alertWebhookUrl: { env: 'SWITCHYARD_ALERT_WEBHOOK_URL', schema: z.string().default(''), help: 'On-call webhook for alert notifications (Alertmanager webhook format v4). Empty: the webhook receiver is off.' },
  alertWebhookSecret: { env: 'SWITCHYARD_ALERT_WEBHOOK_SECRET', schema: z.string().default(''), help: 'HMAC-SHA256 secret for the X-Switchyard-Signature header of alert webhooks.' },
  alertmanagerUrl: { env: 'SWITCHYARD_ALERTMANAGER_URL', schema: z.string().default(''), help: 'A real Alertmanager to post alerts to (/api/v2/alerts). Empty: off.' },
  alertIntervalMs: { env: 'SWITCHYARD_ALERT_INTERVAL_MS', schema: int(500, 600_000).default(5000), help: 'How often alert rules are evaluated (one evaluator at a time across processes, by a Redis lease).' },
  otlpEndpoint: { env: 'OTEL_EXPORTER_OTLP_ENDPOINT', schema: z.string().default(''), help: 'Where pipeline services send spans (OTLP/HTTP). Empty: in-process straight to the trace collector when embedded.' },
  logLevel: { env: 'LOG_LEVEL', schema: z.enum(['debug', 'info', 'warn', 'error']).default('info'), help: 'Log level.' },
} satisfies Record<string, Option>;

type Options = typeof OPTIONS;
/** The validated configuration. */
export type Config = { [K in keyof Options]: z.output<Options[K]['schema']> };

/** A configuration value that failed validation, naming the variable and what it expects. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  readonly retriable = false;
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/** Every environment variable that the configuration knows, for checks of deployment files. */
export const KNOWN_ENV = new Set<string>([...Object.values(OPTIONS).map((o) => o.env), 'SWITCHYARD_CONFIG']);

/**
 * Parses the configuration from an environment (default `process.env`) and, when `SWITCHYARD_CONFIG` names a JSON
 * file, from that file (environment wins). Throws {@link ConfigError} listing every bad value at once.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  let file: Record<string, unknown> = {};
  const problems: string[] = [];
  const path = env.SWITCHYARD_CONFIG;
  if (path) {
    try {
      file = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    } catch (err) {
      throw new ConfigError([`SWITCHYARD_CONFIG=${path}: cannot read it as JSON (${(err as Error).message})`]);
    }
    for (const key of Object.keys(file)) {
      if (!(key in OPTIONS)) problems.push(`${path}: unknown option "${key}" (known: ${Object.keys(OPTIONS).join(', ')})`);
    }
  }
  const out: Record<string, unknown> = {};
  for (const [key, opt] of Object.entries(OPTIONS) as [string, Option][]) {
    const raw = env[opt.env] !== undefined && env[opt.env] !== '' ? env[opt.env] : file[key];
    const parsed = opt.schema.safeParse(raw);
    if (parsed.success) out[key] = parsed.data;
    else problems.push(`${opt.env}=${JSON.stringify(raw)}: ${parsed.error.issues.map((i) => i.message).join('; ')} (${opt.help})`);
  }
  if (out.clickhouseCluster && !out.clickhouseUrl) problems.push(`CLICKHOUSE_CLUSTER=${String(out.clickhouseCluster)}: needs CLICKHOUSE_URL (a server of that cluster); the embedded chDB is one node`);
  if (problems.length > 0) throw new ConfigError(problems);
  return out as Config;
}

/** Markdown table of every option, for docs/configuration.md. */
export function configReference(): string {
  const rows = (Object.entries(OPTIONS) as [string, Option][]).map(([key, o]) => {
    const d = o.schema.safeParse(undefined);
    const def = d.success ? JSON.stringify(d.data) : '(required)';
    return `| \`${o.env}\` | \`${key}\` | \`${def}\` | ${o.help} |`;
  });
  return ['| variable | option | default | what it does |', '|---|---|---|---|', ...rows].join('\n');
}

/** Applies the topic prefix to a name. */
export function prefixed(config: Pick<Config, 'topicPrefix'>, name: string): string {
  return config.topicPrefix ? `${config.topicPrefix}.${name}` : name;
}
