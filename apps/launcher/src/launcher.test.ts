/**
 * The launcher as a real process: starts on a free port, answers /healthz, reports a dead mock cluster, starts its
 * own redis-server when no Redis answers, and leaves no process behind after SIGTERM or SIGKILL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from './net';
import { descendants, stillRunning, type ProcInfo } from './proc-tree';

const ROOT = resolve(import.meta.dirname, '../../..');
const dirs: string[] = [];
const children: ChildProcess[] = [];

afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

interface Running {
  child: ChildProcess;
  url: string;
  out: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Spawns the launcher with a clean environment plus `env`, and waits for its `listening on` line. */
function launch(env: Record<string, string>): Promise<Running> {
  const dataDir = mkdtempSync(join(tmpdir(), 'launcher-'));
  dirs.push(dataDir);
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(KAFKA_BROKERS|REDIS_URL|CLICKHOUSE_URL|PORT|HOST|DATA_DIR|SWITCHYARD_.*|VITEST.*)$/.test(k)),
  );
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/launcher/src/main.ts'], {
    cwd: ROOT,
    env: { ...base, PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })));
  return new Promise((res, rej) => {
    const onData = (): void => {
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        child.stdout!.off('data', onData);
        res({ child, url: m[1]!, out: () => out, exit });
      }
    };
    child.stdout!.on('data', onData);
    void exit.then(({ code }) => rej(new Error(`launcher exited (${code}) before listening:\n${out}`)));
  });
}

async function health(url: string): Promise<{ status: number; body: { status: string; failing: string[]; detail?: string; parts: Record<string, Record<string, unknown>> } }> {
  const res = await fetch(`${url}/healthz`);
  return { status: res.status, body: (await res.json()) as never };
}

/** Polls until `pred` holds (the test timeout bounds it). */
async function until(pred: () => boolean | Promise<boolean>, stepMs = 100): Promise<void> {
  while (!(await pred())) await new Promise((r) => setTimeout(r, stepMs));
}

const named = (procs: ProcInfo[], comm: string): ProcInfo[] => procs.filter((p) => p.comm === comm);

describe('launcher process', () => {
  it('serves /healthz, reports a dead mock cluster as 503 naming kafka, and leaves nothing behind after SIGTERM', async () => {
    const l = await launch({ REDIS_URL: 'redis://127.0.0.1:6379' });
    expect(l.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(l.url).not.toMatch(/:0$/);

    const ok = await health(l.url);
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.status).toBe('ok');
    expect(ok.body.parts.kafka).toMatchObject({ state: 'up', mode: 'mock' });
    expect((ok.body.parts.kafka!.brokers as string[])[0]).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(ok.body.parts.redis).toMatchObject({ state: 'up', url: 'redis://127.0.0.1:6379', origin: 'env' });
    expect(ok.body.parts.clickhouse).toMatchObject({ state: 'up', mode: 'embedded' });

    const tree = descendants(l.child.pid!);
    const [kcat] = named(tree, 'kcat');
    expect(kcat, `no kcat under the launcher: ${JSON.stringify(tree)}`).toBeDefined();
    process.kill(kcat!.pid, 'SIGKILL');
    await until(async () => (await health(l.url)).status === 503);
    const down = await health(l.url);
    expect(down.body.failing).toEqual(['kafka']);
    expect(down.body.parts.kafka!.state).toBe('down');
    expect(down.body.detail).toContain('kafka');
    await until(() => l.out().includes('kafka mock cluster exited'));

    const before = descendants(l.child.pid!);
    l.child.kill('SIGTERM');
    const { code } = await l.exit;
    expect(code).toBe(0);
    expect(l.out()).toContain('stopped');
    // Every process the launcher had is gone, and nothing is left parented to it.
    expect(before.filter(stillRunning).map((p) => `${p.pid} ${p.comm}`)).toEqual([]);
    expect(descendants(l.child.pid!)).toEqual([]);
  });

  it('starts its own redis-server when REDIS_URL is unset and the default Redis is dead; after SIGKILL the guards take kcat and redis-server down', async () => {
    const dead = await freePort();
    const l = await launch({ SWITCHYARD_DEFAULT_REDIS: `127.0.0.1:${dead}` });
    expect(l.out()).toMatch(/redis\s+redis:\/\/127\.0\.0\.1:\d+ \(redis-server started by us/);
    const ok = await health(l.url);
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.parts.redis).toMatchObject({ state: 'up', origin: 'started' });
    expect(ok.body.parts.redis!.url).not.toBe(`redis://127.0.0.1:${dead}`);

    const tree = descendants(l.child.pid!);
    const kids = [...named(tree, 'kcat'), ...named(tree, 'redis-server')];
    expect(kids.map((p) => p.comm).sort()).toEqual(['kcat', 'redis-server']);
    l.child.kill('SIGKILL');
    await l.exit;
    // The guards notice their lifeline close and stop their programs within moments.
    await until(() => !kids.some(stillRunning));
    expect(tree.filter(stillRunning)).toEqual([]);
  });

  it('says what to install when kcat is missing, and exits 1', async () => {
    const bin = mkdtempSync(join(tmpdir(), 'launcher-bin-'));
    dirs.push(bin);
    symlinkSync('/bin/bash', join(bin, 'bash')); // the guard needs bash; kcat is not on this PATH
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'KAFKA_BROKERS'));
    const child = spawn(process.execPath, ['--import', 'tsx', 'apps/launcher/src/main.ts'], { cwd: ROOT, env: { ...env, PATH: bin, PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    expect(code).toBe(1);
    expect(err).toContain('apt-get install -y kcat');
    expect(err).toContain('KAFKA_BROKERS');
  });

  it('prints configuration errors and exits 2', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'apps/launcher/src/main.ts'], { cwd: ROOT, env: { ...process.env, PORT: 'not-a-port' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    expect(code).toBe(2);
    expect(err).toContain('PORT=');
  });
});
