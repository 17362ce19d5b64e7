#!/usr/bin/env node
// Prepares this machine for `npm start`, `npm test` or `npm run bench`: node_modules, kcat, Chromium, Redis.
// Plain Node ESM with no dependencies, because it runs before `npm ci`. One line per step; idempotent and fast
// (well under a second) when everything is already there. As root it installs what is missing with apt-get;
// otherwise it stops with the exact command to run.
//
// Usage: node scripts/setup.mjs <start|test|bench>
import { spawnSync } from 'node:child_process';
import { existsSync, statSync, accessSync, constants, utimesSync, readdirSync } from 'node:fs';
import { connect } from 'node:net';
import { delimiter, join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const MODES = ['start', 'test', 'bench'];
const mode = process.argv[2] ?? '';
if (!MODES.includes(mode)) {
  process.stderr.write(`usage: node scripts/setup.mjs <${MODES.join('|')}>\n`);
  process.exit(2);
}
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const started = Date.now();
let aptUpdated = false;

const say = (line) => process.stdout.write(`setup: ${line}\n`);
function fail(line) {
  process.stderr.write(`setup: ${line}\n`);
  process.exit(1);
}

/** The absolute path of `cmd` on PATH, or null. */
function which(cmd) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, cmd);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not in this folder
    }
  }
  return null;
}

// Under `npm start` / `npm test`, npm exports its settings as npm_config_* variables. A nested npm must read them
// from .npmrc again instead: npm 11 refuses `allow-scripts` given as an environment setting in a project install.
const childEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_config_/i.test(k)));

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: opts.cwd ?? ROOT, stdio: opts.capture ? ['ignore', 'pipe', 'pipe'] : ['ignore', 'inherit', 'inherit'], encoding: 'utf8', env: { ...childEnv, DEBIAN_FRONTEND: 'noninteractive' } });
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

/** Installs Debian packages as root; returns false (after saying what to run) otherwise. */
function aptInstall(pkgs, why, required) {
  const cmd = `apt-get update && apt-get install -y --no-install-recommends ${pkgs.join(' ')}`;
  if (!isRoot || !which('apt-get')) {
    const line = `${pkgs.join(', ')} missing (${why}); run as root: ${cmd}`;
    if (required) fail(line);
    say(line);
    return false;
  }
  say(`installing ${pkgs.join(' ')} (${why}) ...`);
  if (!aptUpdated) {
    if (!run('apt-get', ['update', '-q']).ok) fail(`apt-get update failed; run: ${cmd}`);
    aptUpdated = true;
  }
  if (!run('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...pkgs]).ok) {
    const line = `apt-get install ${pkgs.join(' ')} failed; run: ${cmd}`;
    if (required) fail(line);
    say(line);
    return false;
  }
  return true;
}

function mtime(p) {
  try {
    return statSync(p).mtimeMs;
  } catch {
    return -1;
  }
}

// 1. node_modules: `npm ci` when missing or older than package-lock.json.
function nodeModules() {
  const marker = join(ROOT, 'node_modules', '.package-lock.json');
  const lock = join(ROOT, 'package-lock.json');
  const have = mtime(marker);
  if (have >= 0 && have >= mtime(lock)) {
    say('node_modules: up to date');
    return;
  }
  say(have < 0 ? 'node_modules: missing, running npm ci ...' : 'node_modules: older than package-lock.json, running npm ci ...');
  // npm leaves node_modules/.package-lock.json alone when nothing changed: touch it, or every run would reinstall.
  const done = (how) => {
    const now = new Date();
    if (existsSync(marker)) utimesSync(marker, now, now);
    say(`node_modules: installed (${how})`);
  };
  const ci = run('npm', ['ci', '--no-audit', '--no-fund'], { capture: true });
  if (ci.ok) return done('npm ci');
  // npm 11 rejects lock files that omit other platforms' optional packages (npm/cli#8805), even ones it wrote
  // itself. `npm install --no-save` installs the same locked versions without rewriting the lock file.
  if (/can only install packages when your package\.json and package-lock\.json/.test(ci.out)) {
    const missing = ci.out.split('\n').filter((l) => /Missing: |Invalid: /.test(l)).length;
    say(`node_modules: npm ci refused the lock file (${missing} optional platform entries missing); running npm install --no-save ...`);
    const inst = run('npm', ['install', '--no-save', '--no-audit', '--no-fund']);
    if (inst.ok) return done('npm install --no-save');
  } else {
    process.stderr.write(ci.out.slice(-4000));
  }
  fail('npm ci failed: see the output above');
}

// 2. kcat: the embedded default's Kafka is librdkafka's mock cluster, started through kcat.
function kcat() {
  if (process.env.KAFKA_BROKERS) {
    say(`kcat: not needed, KAFKA_BROKERS=${process.env.KAFKA_BROKERS}`);
    return;
  }
  const found = which('kcat');
  if (found) {
    say(`kcat: ${found}`);
    return;
  }
  aptInstall(['kcat'], 'it runs the mock Kafka cluster', true);
  say(`kcat: ${which('kcat') ?? fail('kcat still missing after apt-get install')}`);
}

// 3. Tools that some tests need, from Debian (optional: those tests skip with the reason when one is missing):
//    Chromium for the browser tests, promtool for the Prometheus rule checks, Alertmanager for its interop test.
function optionalTool(label, binaries, pkg, why) {
  const found = binaries.map(which).find(Boolean);
  if (found) {
    say(`${label}: ${found}`);
    return;
  }
  if (aptInstall([pkg], why, false)) say(`${label}: ${binaries.map(which).find(Boolean) ?? `still missing: ${why} will skip`}`);
  else say(`${label}: missing, ${why} will skip`);
}

function testTools() {
  optionalTool('chromium', ['chromium', 'chromium-browser'], 'chromium', 'browser tests');
  optionalTool('promtool', ['promtool'], 'prometheus', 'the Prometheus rule tests');
  optionalTool('alertmanager', ['prometheus-alertmanager', 'alertmanager'], 'prometheus-alertmanager', 'the Alertmanager interop test');
}

/** Resolves true when a Redis at host:port answers PING within timeoutMs. */
function redisPing(host, port, timeoutMs) {
  return new Promise((resolve) => {
    const sock = connect({ host, port });
    let buf = '';
    const done = (ok) => {
      clearTimeout(timer);
      sock.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    sock.on('connect', () => sock.write('PING\r\n'));
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      if (buf.includes('\r\n')) done(buf.startsWith('+PONG') || buf.startsWith('-NOAUTH'));
    });
    sock.on('error', () => done(false));
  });
}

// 4. Redis: the launcher and the tests need one; the launcher starts a redis-server itself when none answers.
async function redis() {
  let host = '127.0.0.1';
  let port = 6379;
  const url = process.env.REDIS_URL;
  if (url) {
    try {
      const u = new URL(url);
      host = u.hostname || host;
      port = Number(u.port || 6379);
    } catch {
      fail(`REDIS_URL=${url} is not a URL (expected redis://host:port)`);
    }
  }
  if (await redisPing(host, port, 500)) {
    say(`redis: answering at ${host}:${port}`);
    return;
  }
  if (url) fail(`redis: nothing answers at REDIS_URL=${url}; start that Redis, or unset REDIS_URL to use 127.0.0.1:6379 or a redis-server of our own`);
  let server = which('redis-server');
  if (!server) {
    aptInstall(['redis-server'], 'no Redis answers at 127.0.0.1:6379', mode === 'test');
    server = which('redis-server');
  }
  if (mode === 'start') say(`redis: nothing at ${host}:${port}; the launcher will start ${server ?? 'redis-server'} itself`);
  else if (mode === 'test' && server) {
    // The tests share one Redis at 127.0.0.1:6379 (each owns its key names); it keeps nothing on disk.
    run(server, ['--daemonize', 'yes', '--bind', '127.0.0.1', '--port', '6379', '--save', '', '--appendonly', 'no']);
    for (let i = 0; i < 50 && !(await redisPing(host, port, 200)); i++) await new Promise((r) => setTimeout(r, 100));
    if (!(await redisPing(host, port, 500))) fail('redis: started redis-server but it does not answer at 127.0.0.1:6379');
    say('redis: started redis-server at 127.0.0.1:6379 for the tests');
  } else say(`redis: nothing at ${host}:${port}; start one with: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no`);
}

/** Newest modification time under a folder (files only). */
function newest(dir) {
  let max = mtime(dir);
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    max = Math.max(max, e.isDirectory() ? newest(p) : mtime(p));
  }
  return max;
}

// 5. The console: built with Vite into apps/console/dist when missing or older than its sources.
function consoleBuild() {
  const dir = join(ROOT, 'apps', 'console');
  const built = mtime(join(dir, 'dist', 'index.html'));
  const sources = Math.max(newest(join(dir, 'src')), mtime(join(dir, 'index.html')), mtime(join(dir, 'vite.config.ts')), mtime(join(dir, 'package.json')));
  if (built >= sources) {
    say('console: built');
    return;
  }
  say('console: building with vite ...');
  const r = run(join(ROOT, 'node_modules', '.bin', 'vite'), ['build', '--logLevel', 'warn'], { cwd: dir });
  if (!r.ok) fail('console: vite build failed (see above); fix it or run `npm run build -w @switchyard/console`');
}

nodeModules();
kcat();
consoleBuild();
if (mode === 'test') testTools();
if (mode === 'test' || mode === 'start') await redis();
if (!existsSync(join(ROOT, 'node_modules', '.bin', 'tsx'))) fail('node_modules/.bin/tsx is missing: run npm ci');
say(`ready for ${mode} (${Date.now() - started} ms)`);
