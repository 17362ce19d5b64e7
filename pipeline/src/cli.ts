/**
 * The pipeline's command line: drive the load generator and the fault knobs of a running Switchyard over HTTP,
 * or generate load from this process against its order intake.
 *
 *   npm run pipeline -- status
 *   npm run pipeline -- faults set paymentDeclineRate=0.3 slowMs.payment=250
 *   npm run pipeline -- load burst --base 20 --burst 80 --after 10 --for 30 --duration 120
 *   npm run pipeline -- drive steady --rate 50 --duration 30
 *
 * It talks to loopback addresses only unless `--allow-remote` is given: load and faults are for test systems.
 */
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { createLogger } from '@switchyard/telemetry/log';
import { LoadGenerator, LoadProfileSchema, type LoadProfile } from './load';

export const USAGE = `usage: switchyard-pipeline [--url URL] [--allow-remote] <command>

commands (against the running system at --url, default http://127.0.0.1:8080):
  status                              services, load and bus counters
  faults                              the fault knobs in force
  faults set KEY=VALUE ...            change knobs, e.g. paymentDeclineRate=0.3 paymentOutage=true
                                      poisonRate=0.01 duplicateRate=0.1 notificationOutage=true
                                      slowMs.payment=250 timeScale=0
  faults reset                        every knob back to its default
  load steady --rate N --duration S   start a profile on the server's load generator
  load ramp --from N --to M --duration S
  load burst --base N --burst M [--after S] [--for S] --duration S
  load status | load stop
  drive <steady|ramp|burst> ...       the same profiles, generated here and POSTed to /orders; prints a summary

Rates are orders per second, durations seconds (at most 3600). Every profile stops by itself.`;

/** Where the CLI writes and how it reaches the server (injectable for tests). */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  fetch: typeof fetch;
}

const defaultIo: CliIo = {
  out: (l) => process.stdout.write(`${l}\n`),
  err: (l) => process.stderr.write(`${l}\n`),
  fetch: (...a) => fetch(...a),
};

class UsageError extends Error {}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/** Turns `a.b=1` pairs into a nested patch; values are JSON where they parse (numbers, booleans), else strings. */
export function parseAssignments(pairs: string[]): Record<string, unknown> {
  if (pairs.length === 0) throw new UsageError('faults set needs at least one KEY=VALUE');
  const patch: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`"${pair}" is not KEY=VALUE`);
    const path = pair.slice(0, eq).split('.');
    const raw = pair.slice(eq + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // a bare word stays a string; the server says whether it fits
    }
    let node = patch;
    for (const key of path.slice(0, -1)) {
      const next = node[key];
      node = (next && typeof next === 'object' ? next : (node[key] = {})) as Record<string, unknown>;
    }
    node[path[path.length - 1]!] = value;
  }
  return patch;
}

/** Builds a load profile from `steady|ramp|burst` and its flags; the schema the server uses checks it. */
export function parseProfile(args: string[]): LoadProfile {
  const [mode, ...rest] = args;
  const { values } = parseArgs({
    args: rest,
    strict: true,
    options: {
      rate: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      base: { type: 'string' },
      burst: { type: 'string' },
      after: { type: 'string' },
      for: { type: 'string' },
      duration: { type: 'string' },
    },
  });
  const num = (v: string | undefined): number | undefined => (v === undefined ? undefined : Number(v));
  const input: Record<string, unknown> =
    mode === 'steady'
      ? { mode, rate: num(values.rate), durationS: num(values.duration) }
      : mode === 'ramp'
        ? { mode, from: num(values.from), to: num(values.to), durationS: num(values.duration) }
        : mode === 'burst'
          ? { mode, baseRate: num(values.base), burstRate: num(values.burst), burstAfterS: num(values.after), burstForS: num(values.for), durationS: num(values.duration) }
          : {};
  if (!input.mode) throw new UsageError(`unknown load profile "${mode ?? ''}": use steady, ramp or burst`);
  for (const k of Object.keys(input)) if (input[k] === undefined) delete input[k];
  const parsed = LoadProfileSchema.safeParse(input);
  if (!parsed.success) {
    const flag: Record<string, string> = { rate: '--rate', from: '--from', to: '--to', baseRate: '--base', burstRate: '--burst', burstAfterS: '--after', burstForS: '--for', durationS: '--duration' };
    throw new UsageError(parsed.error.issues.map((i) => `${flag[String(i.path[0])] ?? i.path.join('.')}: ${i.message}`).join('; '));
  }
  return parsed.data;
}

async function call(io: CliIo, base: URL, method: string, path: string, body?: unknown): Promise<unknown> {
  let res: Response;
  try {
    res = await io.fetch(new URL(path, base), {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
    throw new Error(`cannot reach ${base.origin} (${cause}): is Switchyard running there (npm start), or is --url wrong?`);
  }
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: shown as is
  }
  if (!res.ok) {
    const p = parsed as { code?: string; detail?: string; title?: string };
    throw new Error(`${method} ${path}: ${res.status} ${p.code ?? ''} ${p.detail ?? p.title ?? text}`.replace(/\s+/g, ' ').trim());
  }
  return parsed;
}

/** Generates a profile here, POSTing each order to the intake; resolves with the generator's final status. */
async function drive(io: CliIo, base: URL, profile: LoadProfile): Promise<{ sent: number; failed: number; lastError: string | null }> {
  const send = async (order: unknown): Promise<unknown> => call(io, base, 'POST', '/orders', order);
  const gen = new LoadGenerator(send, createLogger('pipeline-cli', () => undefined));
  gen.start(profile);
  const started = Date.now();
  let lastReport = 0;
  while (gen.status().running) {
    await new Promise((r) => setTimeout(r, 200));
    const s = gen.status();
    if (Date.now() - lastReport >= 5000) {
      lastReport = Date.now();
      io.out(`drive: ${Math.round((Date.now() - started) / 1000)} s, ${s.sent} sent, ${s.failed} failed, ${s.rate.toFixed(1)}/s target`);
    }
  }
  // Let the orders still in flight finish (bounded).
  for (let i = 0; i < 50 && gen.inFlight() > 0; i++) await new Promise((r) => setTimeout(r, 100));
  const s = gen.status();
  return { sent: s.sent, failed: s.failed, lastError: s.lastError };
}

const GLOBAL_OPTIONS = { url: { type: 'string' }, 'allow-remote': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const;

/** Runs one command; returns the exit code (0 done, 1 the server refused or failed, 2 bad usage). */
export async function runCli(argv: string[], io: CliIo = defaultIo): Promise<number> {
  try {
    // Global options come before the command; everything from the command on is the command's.
    const { tokens } = parseArgs({ args: argv, options: GLOBAL_OPTIONS, allowPositionals: true, strict: false, tokens: true });
    const at = tokens.find((t) => t.kind === 'positional')?.index ?? argv.length;
    const { values } = parseArgs({ args: argv.slice(0, at), options: GLOBAL_OPTIONS, strict: true });
    const [cmd, sub, ...more] = argv.slice(at);
    if (values.help || cmd === undefined) {
      io.out(USAGE);
      return values.help ? 0 : 2;
    }
    const urlText = typeof values.url === 'string' ? values.url : (process.env.SWITCHYARD_URL ?? 'http://127.0.0.1:8080');
    let base: URL;
    try {
      base = new URL(urlText);
    } catch {
      throw new UsageError(`--url ${urlText} is not a URL (e.g. http://127.0.0.1:8080)`);
    }
    if (!LOOPBACK.has(base.hostname) && values['allow-remote'] !== true) {
      throw new UsageError(`--url ${base.host} is not a loopback address; load and faults are for test systems (add --allow-remote if you mean it)`);
    }
    const print = (v: unknown): void => io.out(JSON.stringify(v, null, 2));
    switch (cmd) {
      case 'status':
        print(await call(io, base, 'GET', '/pipeline/status'));
        return 0;
      case 'faults':
        if (sub === undefined) print(await call(io, base, 'GET', '/pipeline/faults'));
        else if (sub === 'set') print(await call(io, base, 'PUT', '/pipeline/faults', parseAssignments(more)));
        else if (sub === 'reset') print(await call(io, base, 'DELETE', '/pipeline/faults'));
        else throw new UsageError(`unknown faults command "${sub}": use faults, faults set or faults reset`);
        return 0;
      case 'load':
        if (sub === 'status') print(await call(io, base, 'GET', '/pipeline/load'));
        else if (sub === 'stop') print(await call(io, base, 'DELETE', '/pipeline/load'));
        else print(await call(io, base, 'POST', '/pipeline/load', parseProfile([sub ?? '', ...more])));
        return 0;
      case 'drive': {
        const r = await drive(io, base, parseProfile([sub ?? '', ...more]));
        print(r);
        return r.failed > 0 ? 1 : 0;
      }
      default:
        throw new UsageError(`unknown command "${cmd}"`);
    }
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`switchyard-pipeline: ${(err as Error).message}\n\n${USAGE}`);
      return 2;
    }
    io.err(`switchyard-pipeline: ${(err as Error).message}`);
    return 1;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await runCli(process.argv.slice(2));
}
