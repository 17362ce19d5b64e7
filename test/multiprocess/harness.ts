/**
 * Starts Switchyard pieces as separate OS processes (node with tsx, no wrapper process, so a signal reaches the
 * program itself), collects their output, and waits for the lines they print.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** A running child process. */
export interface Proc {
  name: string;
  pid: number;
  /** Everything it printed so far (stdout and stderr interleaved as they came). */
  output(): string;
  /** Resolves with the first match of `re` in the output (now or later); rejects when it exits or after `timeoutMs`. */
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Resolves when it has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends `signal` and waits for the exit (SIGKILL after `graceMs` if still alive). */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
}

/** Runs `node --import tsx <entry> ...args` from the repository root with `env` added to this process's env. */
export function spawnTs(name: string, entry: string, args: string[], env: Record<string, string>): Proc {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join(ROOT, entry), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const waiters = new Set<() => void>();
  const onData = (b: Buffer): void => {
    out += b.toString('utf8');
    for (const w of [...waiters]) w();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => child.once('exit', (code, signal) => res({ code, signal })));
  let done = false;
  let how = '';
  void exited.then(({ code, signal }) => {
    done = true;
    how = signal ? `signal ${signal}` : `code ${code}`;
    for (const w of [...waiters]) w();
  });
  return {
    name,
    pid: child.pid ?? -1,
    output: () => out,
    exited,
    waitFor(re, timeoutMs = 60_000) {
      return new Promise((res, rej) => {
        const check = (): void => {
          const m = out.match(re);
          if (m) finish(() => res(m));
          else if (done) finish(() => rej(new Error(`${name} exited (${how}) before printing ${re}; output:\n${out.slice(-4000)}`)));
        };
        const timer = setTimeout(() => finish(() => rej(new Error(`${name} did not print ${re} within ${timeoutMs} ms; output:\n${out.slice(-4000)}`))), timeoutMs);
        const finish = (f: () => void): void => {
          clearTimeout(timer);
          waiters.delete(check);
          f();
        };
        waiters.add(check);
        check();
      });
    },
    async stop(signal = 'SIGTERM', graceMs = 15_000) {
      if (done) return;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** A store daemon process on a fresh chDB folder. */
export interface DaemonProc {
  proc: Proc;
  /** Its URL: CLICKHOUSE_URL for the other processes. */
  url: string;
  /** Stops it and removes its folder. */
  stop(): Promise<void>;
}

/** Starts apps/store-daemon on a free loopback port and a fresh temp folder. */
export async function startDaemonProcess(): Promise<DaemonProc> {
  const dir = mkdtempSync(join(tmpdir(), 'sy-mp-daemon-'));
  const proc = spawnTs('store-daemon', 'apps/store-daemon/src/main.ts', ['--data-dir', dir, '--port', '0'], {});
  const m = await proc.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
  return {
    proc,
    url: m[1] as string,
    async stop() {
      await proc.stop('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls `fn` until it returns a value `ok` accepts; returns the last value when `timeoutMs` runs out. */
export async function pollUntil<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs: number, everyMs = 250): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  let v = await fn();
  while (!ok(v) && performance.now() < deadline) {
    await new Promise((r) => setTimeout(r, everyMs));
    v = await fn();
  }
  return v;
}
