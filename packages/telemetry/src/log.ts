/**
 * Structured logging: one JSON line per record on stderr, so that the launcher's own output (what it started
 * and where) stays readable on stdout. Levels below the configured one are dropped.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** A logger bound to a component name. */
export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(name: string): Logger;
}

let globalLevel: LogLevel = (process.env.LOG_LEVEL as LogLevel | undefined) ?? 'info';

/** Sets the level for every logger (the launcher calls it once with the configured level). */
export function setLogLevel(level: LogLevel): void {
  globalLevel = level;
}

function errorFields(value: unknown): unknown {
  if (value instanceof Error) return { class: value.name, message: value.message, code: (value as { code?: unknown }).code, stack: value.stack };
  return value;
}

/** Creates a logger for a component (`bus`, `collector.lag`, ...). */
export function createLogger(name: string, sink: (line: string) => void = (l) => process.stderr.write(l + '\n')): Logger {
  const write = (level: LogLevel, msg: string, fields?: Record<string, unknown>): void => {
    if (ORDER[level] < ORDER[globalLevel]) return;
    const rec: Record<string, unknown> = { t: new Date().toISOString(), level, name, msg };
    if (fields) for (const [k, v] of Object.entries(fields)) rec[k] = errorFields(v);
    sink(JSON.stringify(rec));
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    child: (n) => createLogger(`${name}.${n}`, sink),
  };
}
