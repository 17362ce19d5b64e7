/**
 * The one place where errors become responses: `application/problem+json` with a stable `code`. Validation
 * failures (the zod hook) and malformed JSON arrive here too. A rejected action by a known caller is audited.
 * Unknown errors answer 500 with nothing internal and are logged with their stack.
 */
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ZodError } from 'zod';
import { audit } from '../audit';
import { ApiError, ValidationError } from '../errors';
import type { Ctx } from '../types';
import type { ApiEnv } from './env';

/** The body of a problem response. */
export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  errors?: { path: string; message: string }[];
}

const typeOf = (code: string): string => `urn:switchyard:problem:${code.toLowerCase().replace(/_/g, '-')}`;

/** Turns a zod failure into a ValidationError naming each field as `<target>.<path>`. */
export function fromZod(error: ZodError, target: string): ValidationError {
  const errors = error.issues.map((i) => ({ path: [target, ...i.path.map(String)].join('.'), message: i.message }));
  return new ValidationError(`The request's ${target} is invalid: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`, errors);
}

/** The zod-openapi hook: a failed validation is thrown to the error handler like any other error. */
export function defaultHook(result: { success: boolean; error?: ZodError; target: string }): void {
  if (!result.success && result.error) throw fromZod(result.error, result.target);
}

/** Writes a problem response. */
export function problem(c: Context, body: ProblemBody, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status: body.status, headers: { 'Content-Type': 'application/problem+json', ...headers } });
}

/** The app's onError. */
export function errorHandler(ctx: Ctx) {
  return async (err: Error, c: Context<ApiEnv>): Promise<Response> => {
    let body: ProblemBody;
    let headers: Record<string, string> = {};
    if (err instanceof ApiError) {
      body = { type: typeOf(err.code), title: err.title, status: err.status, detail: err.message, code: err.code };
      if (err instanceof ValidationError && err.errors.length > 0) body.errors = err.errors;
      headers = err.headers();
    } else if (err instanceof HTTPException && err.status < 500) {
      // Hono's own 4xx (e.g. an unsupported media type before validation): keep the status, give it a code.
      const code = err.status === 415 ? 'UNSUPPORTED_MEDIA_TYPE' : err.status === 400 ? 'BAD_REQUEST' : `HTTP_${err.status}`;
      body = { type: typeOf(code), title: 'Bad request', status: err.status, detail: err.message || 'The request cannot be processed.', code };
    } else {
      ctx.logger.error('unhandled error', { err, requestId: c.get('requestId'), method: c.req.method, path: c.req.path });
      body = { type: typeOf('INTERNAL'), title: 'Internal error', status: 500, detail: `Something went wrong on our side; quote request id ${c.get('requestId')} when reporting it.`, code: 'INTERNAL' };
    }
    const tag = c.get('action');
    const principal = c.get('principal');
    if (tag && principal && body.status >= 400 && body.status < 500) {
      const res = await audit(ctx.store, {
        at: ctx.clock.now(),
        actor: { id: principal.tokenId, name: principal.name },
        role: principal.role,
        action: tag.action,
        target: tag.target,
        outcome: 'rejected',
        detail: `${body.code}: ${body.detail}`.slice(0, 2000),
        idempotencyKey: c.req.header('Idempotency-Key') ?? '',
        requestId: c.get('requestId'),
        dryRun: c.req.query('dryRun') === 'true',
      });
      if (!res.ok) ctx.logger.warn('audit of a rejected action failed', { err: res.error });
    }
    return problem(c, body, { 'X-Request-Id': c.get('requestId') ?? '', ...headers });
  };
}
