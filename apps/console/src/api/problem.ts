/**
 * application/problem+json as the API sends it ({type, title, status, detail, code, errors?}), read leniently:
 * a proxy's HTML error page or an empty body still becomes a problem with a readable detail.
 */

/** A problem (RFC 9457) with Switchyard's stable `code`. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  errors?: { path: string; message: string }[];
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v : undefined);

/** Builds a {@link Problem} from a response body and status; never throws. */
export function problemFrom(body: unknown, status: number, statusText = ''): Problem {
  const o = body && typeof body === 'object' ? (body as Record<string, unknown>) : {};
  const errors = Array.isArray(o.errors)
    ? o.errors.flatMap((e) => (e && typeof e === 'object' ? [{ path: String((e as Record<string, unknown>).path ?? ''), message: String((e as Record<string, unknown>).message ?? '') }] : []))
    : undefined;
  const title = str(o.title) ?? (statusText || `HTTP ${status}`);
  let detail = str(o.detail) ?? str(o.message) ?? (typeof body === 'string' && body.length < 300 && !body.includes('<') ? body : undefined);
  detail ??= status === 404 ? 'This part of the API is not available on this server yet.' : `${title} (HTTP ${status}).`;
  if (errors?.length && !detail.includes(errors[0]!.message)) detail = `${detail} ${errors.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message)).join('; ')}`;
  return { type: str(o.type) ?? 'about:blank', title, status: typeof o.status === 'number' ? o.status : status, detail, code: str(o.code) ?? `HTTP_${status}`, ...(errors ? { errors } : {}) };
}
