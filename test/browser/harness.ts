/**
 * Browser-test harness: the whole system as `npm start` runs it (the launcher in a child process: pipeline,
 * collectors, API and console on one free port, embedded ClickHouse in a temp folder, the launcher's own Kafka
 * mock cluster), plus Chromium through playwright-core, screenshots, and small HTTP helpers for the pipeline's
 * control endpoints.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Repository root. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Debian's Chromium. */
export const CHROMIUM = '/usr/bin/chromium';
/** Where screenshots go. */
export const SCREENSHOTS = join(ROOT, '.artifacts', 'screenshots');

/** A running system. */
export interface System {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** The admin API token the launcher was started with. */
  adminToken: string;
  /** The topic prefix of this run: topics, groups and queues are named `<prefix>.<name>`. */
  prefix: string;
  /** Everything the launcher printed so far (for failure messages). */
  output(): string;
  /** SIGTERM, wait for the exit (SIGKILL after `graceMs`, default 20 s), remove the data folder. */
  stop(graceMs?: number): Promise<void>;
}

/** Options of {@link startSystem}. */
export interface StartOptions {
  /** Extra environment for the launcher. */
  env?: Record<string, string>;
  /** How long to wait for `listening on` and a healthy /healthz (default 150 s: chDB loads slowly on a busy machine). */
  timeoutMs?: number;
}

/**
 * Spawns `node --import tsx apps/launcher/src/main.ts` with PORT=0, a fresh DATA_DIR, a random admin token and a
 * random topic prefix (so Redis keys and queue names never meet another run's), waits for its
 * `listening on http://...` line and then for /healthz to answer 200.
 */
export async function startSystem(opts: StartOptions = {}): Promise<System> {
  const dataDir = await mkdtemp(join(tmpdir(), 'sy-browser-'));
  const adminToken = `sy_${randomBytes(32).toString('base64url')}`;
  const prefix = `b${randomBytes(4).toString('hex')}`;
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(KAFKA_BROKERS|CLICKHOUSE_URL|PORT|HOST|DATA_DIR|SWITCHYARD_.*|VITEST.*|NODE_OPTIONS)$/.test(k)));
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'apps/launcher/src/main.ts'], {
    cwd: ROOT,
    env: { ...base, PORT: '0', DATA_DIR: dataDir, SWITCHYARD_ADMIN_TOKEN: adminToken, SWITCHYARD_TOPIC_PREFIX: prefix, LOG_LEVEL: 'warn', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const stop = async (graceMs = 20_000): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(t);
    }
    await rm(dataDir, { recursive: true, force: true });
  };
  const timeoutMs = opts.timeoutMs ?? 150_000;
  const deadline = Date.now() + timeoutMs;
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the launcher printed no "listening on" line within ${timeoutMs} ms:\n${out}`)), timeoutMs);
      const onData = (): void => {
        const m = /listening on (http:\/\/\S+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          child.stdout!.off('data', onData);
          resolve(m[1]!);
        }
      };
      child.stdout!.on('data', onData);
      void exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`the launcher exited (${code}) before listening:\n${out}`));
      });
    });
    for (;;) {
      const res = await fetch(`${url}/healthz`).catch(() => null);
      if (res?.status === 200) break;
      if (Date.now() > deadline) throw new Error(`/healthz did not answer 200 within ${timeoutMs} ms (last ${res?.status ?? 'no answer'}):\n${out}`);
      await sleep(500);
    }
    return { url, adminToken, prefix, output: () => out, stop };
  } catch (err) {
    await stop(5000);
    throw err;
  }
}

/** Launches Debian's Chromium headless. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}

/** True when Chromium is installed (browser tests skip, with the reason, when it is not). */
export const hasChromium = existsSync(CHROMIUM);

/** Saves a full-page screenshot to .artifacts/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** A JSON request to the system with the admin token (for the pipeline's knobs and for checks). */
export async function call(sys: System, method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${sys.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${sys.adminToken}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body: parsed };
}

/** Signs in through the console's sign-in page. */
export async function signIn(page: Page, sys: System, token = sys.adminToken): Promise<void> {
  await page.goto(`${sys.url}/#/overview`);
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Pages' }).waitFor();
}

/** Polls `read` until `pred` holds or `timeoutMs` (default 90 s) passes; returns the last value read. */
export async function until<T>(read: () => Promise<T>, pred: (v: T) => boolean, timeoutMs = 90_000, stepMs = 1000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let v = await read();
  while (!pred(v)) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(v)}`);
    await sleep(stepMs);
    v = await read();
  }
  return v;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
