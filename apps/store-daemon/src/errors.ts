/**
 * Failures as a ClickHouse server reports them over HTTP: a status, the `X-ClickHouse-Exception-Code` header and
 * a body `Code: N. DB::Exception: <message>. (NAME)`, which @clickhouse/client parses into a ClickHouseError.
 */

/** A request the daemon refuses before it reaches chDB (bad URL, body too large, unsupported input). */
export class DaemonError extends Error {
  /**
   * @param chCode the ClickHouse exception code reported to the client
   * @param type the ClickHouse exception name, e.g. `BAD_ARGUMENTS`
   */
  constructor(
    message: string,
    readonly chCode: number,
    readonly type: string,
    readonly code: string = 'STORE_DAEMON_REQUEST',
    readonly retriable = false,
  ) {
    super(message);
    this.name = 'DaemonError';
  }
}

/** What goes back to the client for a failure. */
export interface Exception {
  status: number;
  chCode: number;
  body: string;
}

// The HTTP status a ClickHouse server gives these codes; everything else is 500.
const BAD_REQUEST = new Set([6, 26, 27, 36, 38, 41, 43, 44, 46, 47, 53, 62, 70, 115, 117, 130, 456, 457]);
const NOT_FOUND = new Set([60, 81]);

/** Formats any thrown value as a ClickHouse HTTP exception. */
export function toException(err: unknown): Exception {
  if (err instanceof DaemonError) return format(err.chCode, `Code: ${err.chCode}. DB::Exception: ${err.message}. (${err.type})`);
  const e = err as { message?: unknown; clickhouseCode?: unknown; code?: unknown } | undefined;
  const message = String(e?.message ?? err);
  const fromText = /Code: (\d+)\./.exec(message);
  const n = typeof e?.clickhouseCode === 'number' ? e.clickhouseCode : fromText ? Number(fromText[1]) : undefined;
  // chDB messages already read `Code: N. DB::Exception: ... (NAME)`; others are wrapped so the client can parse them.
  if (n !== undefined && fromText && /\([A-Z0-9_]*[A-Z]{3}[A-Z0-9_]*\)/.test(message)) return format(n, message);
  if (e?.code === 'CHDB_BIND') return format(457, `Code: 457. DB::Exception: ${message}. (BAD_QUERY_PARAMETER)`);
  const code = n ?? 1001;
  return format(code, `Code: ${code}. DB::Exception: ${message}. (${n === undefined ? 'STD_EXCEPTION' : 'UNKNOWN_EXCEPTION'})`);
}

function format(chCode: number, text: string): Exception {
  const status = BAD_REQUEST.has(chCode) ? 400 : NOT_FOUND.has(chCode) ? 404 : 500;
  return { status, chCode, body: `${text.trimEnd()} (version chdb, Switchyard store daemon)\n` };
}
