/**
 * Webhook signatures: `X-Switchyard-Signature: t=<unix seconds>,v1=<hex>` where v1 is HMAC-SHA256 over
 * `<t>.<raw body>` with the receiver's secret (the scheme Stripe uses). The timestamp lets a receiver refuse replays.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The signature header's name. */
export const SIGNATURE_HEADER = 'X-Switchyard-Signature';

/** The header value for `body` signed at `unixSeconds`. */
export function sign(body: string, secret: string, unixSeconds: number): string {
  const t = Math.floor(unixSeconds);
  const v1 = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
  return `t=${t},v1=${v1}`;
}

/** Options of {@link verifySignature}. */
export interface VerifyOptions {
  /** Current time in unix seconds (default: the wall clock). */
  nowSeconds?: number;
  /** Largest accepted age of the timestamp, in seconds (default 300). */
  toleranceSeconds?: number;
}

/** True when `header` is a valid signature of `body` with `secret`, made within the tolerance. For receivers. */
export function verifySignature(header: string | undefined, body: string, secret: string, opts: VerifyOptions = {}): boolean {
  if (!header) return false;
  const parts = new Map(header.split(',').map((p) => p.trim().split('=', 2) as [string, string]));
  const t = Number(parts.get('t'));
  const v1 = parts.get('v1');
  if (!Number.isInteger(t) || !v1 || !/^[0-9a-f]{64}$/.test(v1)) return false;
  const now = opts.nowSeconds ?? Date.now() / 1000;
  if (Math.abs(now - t) > (opts.toleranceSeconds ?? 300)) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest();
  return timingSafeEqual(expected, Buffer.from(v1, 'hex'));
}
