/**
 * The console's only door to the API: same-origin fetch with the session cookie, the CSRF header on every
 * request that changes something, problem+json turned into {@link ApiError}, and a 401 sent back to sign-in.
 * The API token itself is never kept in the browser: it is posted once to /api/v1/session and forgotten.
 */
import type { z } from 'zod';
import { problemFrom, type Problem } from './problem';

/** An API error: the problem+json body (or one made up from the status) and the HTTP status. */
export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  /** 5xx and 429 are worth retrying; the rest need the request (or the sign-in) fixed first. */
  readonly retriable: boolean;
  constructor(readonly problem: Problem) {
    super(problem.detail);
    this.name = 'ApiError';
    this.code = problem.code;
    this.status = problem.status;
    this.retriable = problem.status >= 500 || problem.status === 429;
  }
}

type Listener = () => void;
const unauthorizedListeners = new Set<Listener>();

/** Called on every 401 (the app returns to the sign-in page). Returns the unsubscribe function. */
export function onUnauthorized(fn: Listener): () => void {
  unauthorizedListeners.add(fn);
  return () => unauthorizedListeners.delete(fn);
}

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Options of {@link request}. */
export interface RequestOptions {
  /** Default GET. */
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Sent as JSON. */
  body?: unknown;
  /** Query parameters; undefined and empty values are left out. */
  query?: Record<string, string | number | boolean | undefined | null>;
  signal?: AbortSignal;
  /** Default true: a 401 signs the user out. The sign-in request itself sets this to false. */
  signOutOn401?: boolean;
  /** Extra headers (e.g. `Idempotency-Key`). */
  headers?: Record<string, string>;
}

/** Builds `/api/v1/<path>?<query>`. */
export function apiUrl(path: string, query?: RequestOptions['query']): string {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== null && v !== '') qs.set(k, String(v));
  const s = qs.toString();
  return `/api/v1/${path.replace(/^\//, '')}${s ? `?${s}` : ''}`;
}

/** One API call. Resolves with the parsed JSON (undefined for 204), rejects with {@link ApiError}. */
export async function request(path: string, opts: RequestOptions = {}): Promise<unknown> {
  const method = opts.method ?? 'GET';
  const headers: Record<string, string> = { Accept: 'application/json, application/problem+json', ...opts.headers };
  if (MUTATING.has(method)) headers['X-Requested-With'] = 'switchyard';
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(apiUrl(path, opts.query), {
      method,
      headers,
      credentials: 'same-origin',
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal: opts.signal,
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError({ type: 'about:blank', title: 'Network error', status: 0, code: 'NETWORK', detail: 'The API could not be reached. Check that Switchyard is running.' });
  }
  if (res.status === 204) return undefined;
  const text = await res.text();
  let body: unknown = undefined;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = text;
  }
  if (!res.ok) {
    if (res.status === 401 && opts.signOutOn401 !== false) for (const fn of unauthorizedListeners) fn();
    throw new ApiError(problemFrom(body, res.status, res.statusText));
  }
  return body;
}

/** GET and parse with a (lenient) schema. */
export async function getJson<S extends z.ZodType>(schema: S, path: string, query?: RequestOptions['query'], signal?: AbortSignal): Promise<z.output<S>> {
  return schema.parse(await request(path, { query, signal })) as z.output<S>;
}

/** A write (POST, PUT, DELETE) with the CSRF header. */
export async function send(method: 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown, query?: RequestOptions['query']): Promise<unknown> {
  return request(path, { method, body, query });
}

/** The user-facing message of any error: a problem's `detail`, else the error's message. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return err.problem.detail || err.problem.title;
  if (err instanceof Error) return err.message;
  return String(err);
}
