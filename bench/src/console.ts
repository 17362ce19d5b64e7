/**
 * Console bench, two figures (build the console first: `npm run build -w @switchyard/console`).
 *
 * Initial JS: the JavaScript a browser must fetch before the first page renders, gzipped. Reads
 * apps/console/dist/index.html, takes the entry script and every `modulepreload`, and gzips each with zlib (level 9,
 * as a static server would serve it). Lazily loaded page chunks (and recharts with them) are reported apart.
 *
 * Time to overview data (issue 5, target under 1.5 s): an embedded store in a temp folder seeded with 24 hours of
 * what the overview reads (the pipeline's events at `ordersPerSecond`, a lag sweep of every stage's group and the
 * queue depths every 15 s), the API serving the built console on 127.0.0.1:0 in this process (as the launcher's
 * api part does; Redis at REDIS_URL or 127.0.0.1:6379 for sessions, under a unique prefix removed after), and
 * Debian's Chromium through playwright-core. Each run is a fresh browser context (cold HTTP cache) holding a
 * session cookie, timed from navigation start (the page's `performance.now()` origin) until the stage map shows a
 * stage with lag (`[data-testid="stage-map"] article[data-stage]:not([data-lag=""])`), and until the latency chart
 * has points. Runs go to `#/overview` (the default hour) and to `#/overview?range=24h` (all the history).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { serve } from '@hono/node-server';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { chromium } from 'playwright-core';
import { GROUPS, TOPICS } from '@switchyard/contracts/topics';
import { openStore } from '@switchyard/store';
import type { Store } from '@switchyard/store/types';
import { systemClock } from '@switchyard/telemetry/clock';
import { createLogger } from '@switchyard/telemetry/log';
import { createApi } from '../../apps/api/src/app';
import { deleteKeys } from '@switchyard/bus/testing';

/** Options of {@link runConsoleBench}. */
export interface ConsoleBenchOptions {
  /** The build folder (default apps/console/dist). */
  distDir?: string;
  /** Budget for the initial JS, gzipped, in bytes (default 300 KB = 307200). */
  budgetBytes?: number;
  /** Measure the time to overview data too (default true; needs Chromium and Redis). */
  overview?: boolean;
  /** Options of the overview measurement. */
  overviewOptions?: OverviewBenchOptions;
}

/** Options of {@link measureOverview}. */
export interface OverviewBenchOptions {
  /** Hours of history seeded (default 24). */
  hours?: number;
  /** Orders per second through the seeded pipeline, 7 events each (default 0.5: 43,200 orders, ~300k events a day). */
  ordersPerSecond?: number;
  /** Partitions per consumer group in the lag sweeps (default 6). */
  partitions?: number;
  /** Timed page loads per route (default 9), after one unmeasured load. */
  runs?: number;
  /** Chromium (default /usr/bin/chromium). */
  executablePath?: string;
}

/** Load times of one route, in ms from navigation start. */
export interface OverviewTimes {
  route: string;
  /** Until a stage shows its lag. */
  stageData: { medianMs: number; p90Ms: number; runs: number[] };
  /** Until the order-to-delivery chart has points (null in a run where it never did within the timeout). */
  latencyChart: { medianMs: number; p90Ms: number; runs: (number | null)[] };
}

/** What the overview measurement did and measured. */
export interface OverviewBenchResult {
  seeded: { hours: number; events: number; lagRows: number; statusRows: number; queueDepthRows: number; seedSeconds: number };
  routes: OverviewTimes[];
  targetMs: number;
  withinTarget: boolean;
}

/** What the bench measured. */
export interface ConsoleBenchResult {
  /** Entry script and modulepreloads, each with its raw and gzipped size in bytes. */
  initial: { file: string; bytes: number; gzipBytes: number }[];
  initialGzipBytes: number;
  /** Every other .js file in assets/ (loaded on demand), gzipped, summed. */
  lazyGzipBytes: number;
  /** The largest lazy chunk (usually recharts). */
  largestLazy: { file: string; gzipBytes: number } | null;
  budgetBytes: number;
  withinBudget: boolean;
  /** Time to overview data; `skipped` says why when it did not run. */
  overview?: OverviewBenchResult | { skipped: string };
}

/** Error for a missing or unreadable build. */
export class ConsoleBuildMissingError extends Error {
  readonly code = 'CONSOLE_BUILD_MISSING';
  readonly retriable = false;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConsoleBuildMissingError';
  }
}

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The script and modulepreload URLs of an index.html, in document order (relative to the page). */
export function initialScripts(html: string): string[] {
  const out: string[] = [];
  const tag = /<(script|link)\b[^>]*>/gi;
  for (const m of html.matchAll(tag)) {
    const t = m[0];
    const isEntry = /^<script/i.test(t) && /type=["']module["']/i.test(t);
    const isPreload = /^<link/i.test(t) && /rel=["']modulepreload["']/i.test(t);
    const url = /(?:src|href)=["']([^"']+)["']/i.exec(t)?.[1];
    if ((isEntry || isPreload) && url && !/^https?:/i.test(url)) out.push(url);
  }
  return out;
}

/** Measures the console's initial JavaScript. */
export async function runConsoleBench(opts: ConsoleBenchOptions = {}): Promise<ConsoleBenchResult> {
  const dist = opts.distDir ?? join(ROOT, 'apps', 'console', 'dist');
  const budgetBytes = opts.budgetBytes ?? 300 * 1024;
  let html: string;
  try {
    html = await readFile(join(dist, 'index.html'), 'utf8');
  } catch (err) {
    throw new ConsoleBuildMissingError(`No console build at ${dist}: run \`npm run build -w @switchyard/console\` first.`, { cause: err });
  }
  const gz = (b: Buffer): number => gzipSync(b, { level: 9 }).length;
  const initial: ConsoleBenchResult['initial'] = [];
  for (const url of initialScripts(html)) {
    const file = url.replace(/^\.?\//, '').split(/[?#]/)[0]!;
    const buf = await readFile(join(dist, file));
    initial.push({ file, bytes: buf.length, gzipBytes: gz(buf) });
  }
  const seen = new Set(initial.map((i) => i.file));
  let lazyGzipBytes = 0;
  let largestLazy: ConsoleBenchResult['largestLazy'] = null;
  for (const name of await readdir(join(dist, 'assets')).catch(() => [] as string[])) {
    const file = `assets/${name}`;
    if (!name.endsWith('.js') || seen.has(file)) continue;
    const g = gz(await readFile(join(dist, file)));
    lazyGzipBytes += g;
    if (!largestLazy || g > largestLazy.gzipBytes) largestLazy = { file, gzipBytes: g };
  }
  const initialGzipBytes = initial.reduce((s, i) => s + i.gzipBytes, 0);
  const result: ConsoleBenchResult = { initial, initialGzipBytes, lazyGzipBytes, largestLazy, budgetBytes, withinBudget: initialGzipBytes <= budgetBytes };
  if (opts.overview !== false) {
    const exe = opts.overviewOptions?.executablePath ?? CHROMIUM;
    result.overview = existsSync(exe) ? await measureOverview(dist, opts.overviewOptions) : { skipped: `no Chromium at ${exe}` };
  }
  return result;
}

/** Debian's Chromium, as the browser tests use it. */
const CHROMIUM = '/usr/bin/chromium';
const STAGE_DATA = '[data-testid="stage-map"] article[data-stage]:not([data-lag=""])';
const LATENCY_DATA = '[data-testid="latency-chart"]:not([data-points="0"])';
/** Runs in each page before its scripts: records `performance.now()` when each selector first matches. */
const MARKS_SCRIPT = `(() => {
  const marks = (window.__marks = {});
  const check = () => {
    if (marks.stage === undefined && document.querySelector(${JSON.stringify(STAGE_DATA)})) marks.stage = performance.now();
    if (marks.latency === undefined && document.querySelector(${JSON.stringify(LATENCY_DATA)})) marks.latency = performance.now();
  };
  new MutationObserver(check).observe(document, { subtree: true, childList: true, attributes: true });
})();`;
const round1 = (x: number): number => Math.round(x * 10) / 10;
/** Nearest-rank percentile of ascending `xs`. */
const pct = (xs: readonly number[], p: number): number => (xs.length ? xs[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]! : NaN);

/** The seeded pipeline: stage, its group, the topic it produces to, the event type and its producing service. */
const CHAIN = [
  { topic: TOPICS.orders, type: 'OrderCreated', source: 'intake', group: null, minutes: 0 },
  { topic: TOPICS.inventory, type: 'InventoryReserved', source: 'inventory', group: GROUPS.inventory, minutes: 0.2 },
  { topic: TOPICS.payments, type: 'PaymentAuthorized', source: 'payment', group: GROUPS.payment, minutes: 0.5 },
  { topic: TOPICS.eta, type: 'EtaPredicted', source: 'eta', group: GROUPS.eta, minutes: 0.6 },
  { topic: TOPICS.kitchen, type: 'OrderReady', source: 'kitchen', group: GROUPS.kitchen, minutes: 12 },
  { topic: TOPICS.dispatch, type: 'DriverAssigned', source: 'dispatch', group: GROUPS.dispatch, minutes: 14 },
  { topic: TOPICS.delivery, type: 'OrderDelivered', source: 'tracking', group: GROUPS.tracking, minutes: 30 },
] as const;

/** Inserts rows in batches; throws the store's error. */
async function insertAll(store: Store, table: string, rows: Record<string, unknown>[], batch = 20_000): Promise<void> {
  for (let i = 0; i < rows.length; i += batch) {
    const r = await store.insert(table, rows.slice(i, i + batch));
    if (!r.ok) throw r.error;
  }
}

/** Seeds `hours` of history ending now; returns the row counts. */
async function seedHistory(store: Store, hours: number, ordersPerSecond: number, partitions: number): Promise<Omit<OverviewBenchResult['seeded'], 'seedSeconds' | 'hours'>> {
  const now = Date.now();
  const start = now - hours * 3_600_000;
  const offsets = new Map<string, number>();
  const orders = Math.floor(hours * 3600 * ordersPerSecond);
  let events = 0;
  let rows: Record<string, unknown>[] = [];
  for (let o = 0; o < orders; o++) {
    const created = start + (o / ordersPerSecond) * 1000;
    const orderId = `o-${o}`;
    const delivery = 25 + (o % 17);
    for (const step of CHAIN) {
      const minutes = step.type === 'OrderDelivered' ? delivery : step.minutes;
      const at = created + minutes * 60_000;
      if (at > now) continue;
      const offset = offsets.get(step.topic) ?? 0;
      offsets.set(step.topic, offset + 1);
      const payload = step.type === 'OrderDelivered' ? `{"data":{"actualMinutes":${delivery}}}` : '{"data":{}}';
      rows.push({ topic: step.topic, partition: o % partitions, offset, key: orderId, event_id: `e-${o}-${step.type}`, type: step.type, version: 1, order_id: orderId, trace_id: '', span_id: '', causation_id: '', correlation_id: '', source: step.source, bytes: 300, produced_at: new Date(at), tapped_at: new Date(at + 50), headers: {}, payload, is_retry: false, is_dlq: false, replay_id: '', redrive_id: '' });
    }
    if (rows.length >= 20_000) {
      await insertAll(store, 'events', rows);
      events += rows.length;
      rows = [];
    }
  }
  await insertAll(store, 'events', rows);
  events += rows.length;
  // A sweep every 15 s: each stage's group per partition, its status, and the two queues' depths.
  const groups = Object.values(GROUPS);
  const lag: Record<string, unknown>[] = [];
  const status: Record<string, unknown>[] = [];
  const depth: Record<string, unknown>[] = [];
  for (let t = start, k = 0; t <= now; t += 15_000, k++) {
    const ts = new Date(t);
    groups.forEach((group, g) => {
      let total = 0;
      for (let p = 0; p < partitions; p++) {
        const behind = (k + g * 7 + p * 3) % 40;
        total += behind;
        lag.push({ ts, group, topic: TOPICS.orders, partition: p, committed: k * 10, log_end: k * 10 + behind, low: 0, lag_messages: behind, lag_seconds: behind / 10, no_commit: 0 });
      }
      status.push({ ts, group, status: total > 200 ? 'WARNING' : 'OK', lag_messages: total, lag_seconds: total / 10 / partitions, partitions, topics: [TOPICS.orders], reason: '' });
    });
    for (const queue of ['dispatch', 'notifications']) for (const [state, count] of [['waiting', k % 9], ['active', 2], ['failed', 1]] as const) depth.push({ ts, queue, state, count });
  }
  await insertAll(store, 'consumer_lag', lag);
  await insertAll(store, 'consumer_group_status', status);
  await insertAll(store, 'queue_depth', depth);
  return { events, lagRows: lag.length, statusRows: status.length, queueDepthRows: depth.length };
}

/**
 * Seeds a store, serves the API and the console from `dist` on loopback and times the overview in Chromium.
 * Bounded: the seed takes tens of seconds, each page load at most 20 s.
 */
export async function measureOverview(dist: string, opts: OverviewBenchOptions = {}): Promise<OverviewBenchResult> {
  const hours = opts.hours ?? 24;
  const runs = opts.runs ?? 9;
  const dataDir = mkdtempSync(join(tmpdir(), 'sy-bench-console-'));
  const store = await openStore({ dataDir, database: 'bench' });
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 2 });
  const prefix = `bench-console-${randomUUID()}:`;
  const adminToken = `sy_${randomBytes(32).toString('base64url')}`;
  const logger = createLogger('bench.console', () => undefined);
  // Never connected: the overview does not touch Kafka.
  const kafka = new Kafka({ clientId: 'bench-console', brokers: ['127.0.0.1:1'], logLevel: logLevel.NOTHING });
  const api = createApi({ store, redis, kafka, clock: systemClock, logger, config: { adminToken, topicPrefix: '', api: { redisPrefix: prefix } } });
  let server: ReturnType<typeof serve> | undefined;
  const browser = await chromium.launch({ executablePath: opts.executablePath ?? CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  try {
    const t0 = performance.now();
    const counts = await seedHistory(store, hours, opts.ordersPerSecond ?? 0.5, opts.partitions ?? 6);
    const seedSeconds = round1((performance.now() - t0) / 1000);
    await api.start();
    const app = new Hono();
    app.route('/', api.app as unknown as Hono);
    app.use('/*', serveStatic({ root: dist }));
    app.get('/*', serveStatic({ root: dist, path: 'index.html' }));
    const base = await new Promise<string>((ok) => {
      server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info: AddressInfo) => ok(`http://127.0.0.1:${info.port}`));
    });
    const signIn = await fetch(`${base}/api/v1/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ token: adminToken }) });
    const session = /sy_session=([^;]+)/.exec(signIn.headers.get('set-cookie') ?? '')?.[1];
    if (!signIn.ok || !session) throw new Error(`sign-in failed: ${signIn.status} ${await signIn.text()}`);

    /** One cold load: performance.now() (ms since navigation start) when each selector first matched. */
    const load = async (route: string): Promise<{ stage: number; latency: number | null }> => {
      const context = await browser.newContext();
      try {
        await context.addCookies([{ name: 'sy_session', value: session, url: base }]);
        // Marks are taken in the page, by a MutationObserver, so Playwright's polling adds nothing. (A string: this
        // project compiles without the DOM library.)
        await context.addInitScript({ content: MARKS_SCRIPT });
        const page = await context.newPage();
        await page.goto(`${base}/${route}`);
        await page.waitForSelector(STAGE_DATA, { timeout: 20_000 });
        await page.waitForSelector(LATENCY_DATA, { timeout: 10_000 }).catch(() => undefined);
        const marks = (await page.evaluate('window.__marks')) as { stage?: number; latency?: number };
        return { stage: marks.stage ?? NaN, latency: marks.latency ?? null };
      } finally {
        await context.close();
      }
    };

    const routes: OverviewTimes[] = [];
    for (const route of ['#/overview', '#/overview?range=24h']) {
      await load(route);
      const stage: number[] = [];
      const latency: (number | null)[] = [];
      for (let i = 0; i < runs; i++) {
        const r = await load(route);
        stage.push(round1(r.stage));
        latency.push(r.latency === null ? null : round1(r.latency));
      }
      const s = [...stage].sort((a, b) => a - b);
      const l = latency.filter((x): x is number => x !== null).sort((a, b) => a - b);
      routes.push({ route, stageData: { medianMs: pct(s, 50), p90Ms: pct(s, 90), runs: stage }, latencyChart: { medianMs: pct(l, 50), p90Ms: pct(l, 90), runs: latency } });
    }
    return { seeded: { hours, ...counts, seedSeconds }, routes, targetMs: 1500, withinTarget: routes.every((r) => r.stageData.p90Ms < 1500) };
  } finally {
    await browser.close();
    await new Promise<void>((ok) => (server ? server.close(() => ok()) : ok()));
    await api.stop();
    await deleteKeys(redis, prefix);
    redis.disconnect();
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
