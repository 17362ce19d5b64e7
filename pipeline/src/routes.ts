/**
 * HTTP surface of the pipeline on the launcher's port: order intake (`POST /orders`), the fault knobs
 * (`/pipeline/faults`) and the load generator (`/pipeline/load`). Errors are problem+json with a stable code.
 */
import type { Context, Hono } from 'hono';
import { ZodError } from 'zod';
import { ContractError } from '@switchyard/contracts';
import type { Logger } from '@switchyard/telemetry/log';
import type { PipelineRuntime } from './runtime';

function problem(c: Context, status: 400 | 404 | 415 | 500 | 503, code: string, title: string, detail: string, errors?: unknown[]): Response {
  return c.body(JSON.stringify({ type: `https://switchyard.dev/problems/${code.toLowerCase()}`, title, status, detail, code, ...(errors ? { errors } : {}) }), status, {
    'content-type': 'application/problem+json',
  });
}

async function jsonBody(c: Context): Promise<{ ok: true; value: unknown } | { ok: false; res: Response }> {
  const text = await c.req.text();
  if (text.trim() === '') return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    return { ok: false, res: problem(c, 400, 'MALFORMED_JSON', 'Malformed JSON', `the body is not valid JSON: ${(err as Error).message}`) };
  }
}

function mapError(c: Context, err: unknown, logger: Logger): Response {
  if (err instanceof ContractError) {
    return problem(c, 400, err.code, 'Invalid order', err.message, err.issues.map((i) => ({ path: i.path, expected: i.expected, got: i.got, message: i.message })));
  }
  if (err instanceof ZodError) {
    return problem(c, 400, 'VALIDATION_FAILED', 'Invalid request', err.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; '), err.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
  }
  logger.error('pipeline request failed', { err });
  return problem(c, 503, 'PIPELINE_UNAVAILABLE', 'Pipeline unavailable', 'the pipeline could not take the request; see the server log');
}

/** Adds the pipeline's routes to an app. */
export function pipelineRoutes(app: Hono, rt: PipelineRuntime, logger: Logger): void {
  const handle = (fn: (c: Context, body: unknown) => Promise<Response>) => async (c: Context) => {
    const body = c.req.method === 'GET' || c.req.method === 'DELETE' ? { ok: true as const, value: {} } : await jsonBody(c);
    if (!body.ok) return body.res;
    try {
      return await fn(c, body.value);
    } catch (err) {
      return mapError(c, err, logger);
    }
  };
  app.post('/orders', handle(async (c, body) => c.json(await rt.accept(body), 202)));
  app.get('/pipeline/faults', handle(async (c) => c.json(rt.faults.get())));
  app.put('/pipeline/faults', handle(async (c, body) => c.json(await rt.faults.update(body as never))));
  app.delete('/pipeline/faults', handle(async (c) => c.json(await rt.faults.reset())));
  app.get('/pipeline/load', handle(async (c) => c.json(rt.load.status())));
  app.post('/pipeline/load', handle(async (c, body) => c.json(rt.load.start(body), 202)));
  app.delete('/pipeline/load', handle(async (c) => c.json(rt.load.stop())));
  app.get('/pipeline/status', handle(async (c) => c.json(rt.status())));
}
