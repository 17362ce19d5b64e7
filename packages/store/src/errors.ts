/**
 * One place that turns a chDB or @clickhouse/client failure into a StoreError with a stable code and a
 * `retriable` flag. Callers branch on `code`/`retriable`, never on message text.
 */
import { StoreError } from './types';

/** ClickHouse exception codes that say the statement itself is wrong: retrying cannot help. */
const PERMANENT_CH_CODES = new Set([
  6, // CANNOT_PARSE_TEXT
  26, // CANNOT_PARSE_QUOTED_STRING
  27, // CANNOT_PARSE_INPUT_ASSERTION_FAILED
  36, // BAD_ARGUMENTS
  38, // CANNOT_PARSE_DATE
  41, // CANNOT_PARSE_DATETIME
  43, // ILLEGAL_TYPE_OF_ARGUMENT
  44, // ILLEGAL_COLUMN
  46, // UNKNOWN_FUNCTION
  47, // UNKNOWN_IDENTIFIER
  53, // TYPE_MISMATCH
  60, // UNKNOWN_TABLE
  62, // SYNTAX_ERROR
  70, // CANNOT_CONVERT_TYPE
  81, // UNKNOWN_DATABASE
  115, // UNKNOWN_SETTING
  117, // INCORRECT_DATA
  456, // UNKNOWN_QUERY_PARAMETER
  457, // BAD_QUERY_PARAMETER
]);

/** ClickHouse codes that are about the moment (overload, timeouts, network): worth another try. */
const RETRIABLE_CH_CODES = new Set([159, 160, 164, 202, 209, 210, 241, 252, 285, 394, 425]);

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_SOCKET']);

/** Stable name of a ClickHouse exception code, for StoreError.code (`CH_<n>` when unnamed). */
function chCode(n: number): string {
  if (n === 62) return 'SYNTAX_ERROR';
  if (n === 60) return 'UNKNOWN_TABLE';
  if (n === 81) return 'UNKNOWN_DATABASE';
  if (n === 27 || n === 6 || n === 26 || n === 38 || n === 41) return 'CANNOT_PARSE';
  if (n === 159 || n === 160 || n === 209 || n === 210) return 'TIMEOUT';
  if (n === 241) return 'MEMORY_LIMIT';
  return `CH_${n}`;
}

/** Parses the `Code: 62.` prefix ClickHouse puts on its messages. */
function codeFromMessage(msg: string): number | undefined {
  const m = /Code: (\d+)\./.exec(msg);
  return m ? Number(m[1]) : undefined;
}

/**
 * Maps any thrown value to a StoreError. Unknown ClickHouse codes count as not retriable (a bug in the
 * statement is likelier than a transient fault); network and timeout failures are retriable.
 */
export function toStoreError(err: unknown, context: string): StoreError {
  if (err instanceof StoreError) return err;
  const e = err as { message?: unknown; code?: unknown; clickhouseCode?: unknown; name?: unknown; cause?: unknown } | undefined;
  const message = `${context}: ${String(e?.message ?? err)}`;
  const code = typeof e?.code === 'string' ? e.code : undefined;
  // chDB: typed errors with a CHDB_* code and the ClickHouse code.
  if (code?.startsWith('CHDB_')) {
    if (code === 'CHDB_TIMEOUT') return new StoreError(message, 'TIMEOUT', true, { cause: err });
    if (code === 'CHDB_CLOSED') return new StoreError(message, 'CLOSED', false, { cause: err });
    if (code === 'CHDB_CONNECTION') return new StoreError(message, 'CONNECTION', false, { cause: err });
    if (code === 'CHDB_BIND') return new StoreError(message, 'BAD_PARAMETER', false, { cause: err });
    const n = typeof e?.clickhouseCode === 'number' ? e.clickhouseCode : codeFromMessage(String(e?.message ?? ''));
    if (n !== undefined) return new StoreError(message, chCode(n), RETRIABLE_CH_CODES.has(n), { cause: err });
    return new StoreError(message, code.replace(/^CHDB_/, ''), false, { cause: err });
  }
  // @clickhouse/client: ClickHouseError carries the numeric code as a string; transport errors carry errno codes.
  if (code && NETWORK_CODES.has(code)) return new StoreError(message, 'NETWORK', true, { cause: err });
  if (code && /^\d+$/.test(code)) {
    const n = Number(code);
    return new StoreError(message, chCode(n), !PERMANENT_CH_CODES.has(n) && RETRIABLE_CH_CODES.has(n), { cause: err });
  }
  const text = String(e?.message ?? '');
  if (/timeout|timed out/i.test(text)) return new StoreError(message, 'TIMEOUT', true, { cause: err });
  if (/socket hang up|ECONNREFUSED|ECONNRESET|fetch failed|network/i.test(text)) return new StoreError(message, 'NETWORK', true, { cause: err });
  const n = codeFromMessage(text);
  if (n !== undefined) return new StoreError(message, chCode(n), RETRIABLE_CH_CODES.has(n), { cause: err });
  return new StoreError(message, 'UNKNOWN', false, { cause: err });
}
