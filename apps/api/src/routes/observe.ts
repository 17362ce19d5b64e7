/**
 * Read routes beside the actions (viewers): the DLQ browser, traces, inference, cost, the pipeline overview; and the
 * OTLP/HTTP trace receiver (`POST /v1/traces`: unauthenticated, as OTLP exporters expect, but bounded in size).
 */
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { PayloadTooLargeError } from '../actions/errors';
import { getDeadLetter, listDeadLetters } from '../handlers/dlq';
import { cost, inference, orderCost } from '../handlers/insights';
import { overview } from '../handlers/overview';
import { otlpProtoResponse, receiveTraces, traceById, traceOfOrder } from '../handlers/traces';
import { CostView, DeadLetterDetail, DeadLetterList, DlqParams, DlqQuery, InferenceView, OrderCostView, OrderParams, OtlpResult, OverviewView, TraceParams, TraceView, WindowQuery } from '../schemas';
import type { ApiEnv } from './env';
import { requireRole } from './middleware';
import { json, problems, type Services } from './services';

const security: Record<string, string[]>[] = [{ bearer: [] }, { session: [] }];

/** Largest OTLP request body (8 MiB); larger ones get 413. */
export const OTLP_MAX_BODY = 8 * 1024 * 1024;

export function registerObserveRoutes(app: OpenAPIHono<ApiEnv>, s: Services): void {
  app.openapi(
    createRoute({ method: 'get', path: '/api/v1/dlq', tags: ['dlq'], summary: 'Dead letters (Kafka DLQ topics and BullMQ failed sets), newest failure first', security, middleware: [requireRole('viewer')], request: { query: DlqQuery }, responses: { 200: json(DeadLetterList, 'OK'), ...problems(400, 401, 403) } }),
    async (c) => c.json((await listDeadLetters(s.ctx, c.req.valid('query'))) as never, 200),
  );
  app.openapi(
    createRoute({ method: 'get', path: '/api/v1/dlq/{id}', tags: ['dlq'], summary: 'One dead letter with its payload and headers', security, middleware: [requireRole('viewer')], request: { params: DlqParams }, responses: { 200: json(DeadLetterDetail, 'OK'), ...problems(400, 401, 403, 404) } }),
    async (c) => c.json((await getDeadLetter(s.ctx, c.req.valid('param').id)) as never, 200),
  );
  app.openapi(
    createRoute({ method: 'get', path: '/api/v1/orders/{orderId}/trace', tags: ['traces'], summary: "An order's trace from intake to delivery (stitched across lost contexts)", security, middleware: [requireRole('viewer')], request: { params: OrderParams }, responses: { 200: json(TraceView, 'OK'), ...problems(400, 401, 403, 404) } }),
    async (c) => c.json((await traceOfOrder(s.ctx, c.req.valid('param').orderId)) as never, 200),
  );
  app.openapi(
    createRoute({ method: 'get', path: '/api/v1/traces/{traceId}', tags: ['traces'], summary: 'One trace, with traces stitched onto it by causation id', security, middleware: [requireRole('viewer')], request: { params: TraceParams }, responses: { 200: json(TraceView, 'OK'), ...problems(400, 401, 403, 404) } }),
    async (c) => c.json((await traceById(s.ctx, c.req.valid('param').traceId)) as never, 200),
  );
  app.openapi(
    createRoute({ method: 'get', path: '/api/v1/inference', tags: ['inference'], summary: 'Per model version: latency, throughput, error and feature drift over ?from&to (default the last hour)', security, middleware: [requireRole('viewer')], request: { query: WindowQuery }, responses: { 200: json(InferenceView, 'OK'), ...problems(400, 401, 403) } }),
    async (c) => c.json((await inference(s.ctx, c.req.valid('query'))) as never, 200),
  );
  app.openapi(
    createRoute({ method: 'get', path: '/api/v1/cost', tags: ['cost'], summary: 'Cost over ?from&to (default the last day) in ?bucket seconds: per order, event type, service; retry and replay shares', security, middleware: [requireRole('viewer')], request: { query: WindowQuery }, responses: { 200: json(CostView, 'OK'), ...problems(400, 401, 403) } }),
    async (c) => c.json((await cost(s.ctx, c.req.valid('query'))) as never, 200),
  );
  app.openapi(
    createRoute({ method: 'get', path: '/api/v1/orders/{orderId}/cost', tags: ['cost'], summary: 'What one order fanned out to, priced', security, middleware: [requireRole('viewer')], request: { params: OrderParams }, responses: { 200: json(OrderCostView, 'OK'), ...problems(400, 401, 403) } }),
    async (c) => c.json((await orderCost(s.ctx, c.req.valid('param').orderId)) as never, 200),
  );
  app.openapi(
    createRoute({ method: 'get', path: '/api/v1/overview', tags: ['overview'], summary: 'Per pipeline stage: rates, lag, status, retries, errors, dead letters; order-to-delivery p50/p99 per bucket', security, middleware: [requireRole('viewer')], request: { query: WindowQuery }, responses: { 200: json(OverviewView, 'OK'), ...problems(400, 401, 403) } }),
    async (c) => c.json((await overview(s.ctx, c.req.valid('query'))) as never, 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/traces',
      tags: ['traces'],
      summary: 'OTLP/HTTP trace receiver (application/json or application/x-protobuf, optionally gzip)',
      description: `Unauthenticated, like any OTLP endpoint; bodies over ${OTLP_MAX_BODY} bytes get 413. Answers in the request's format (JSON or protobuf ExportTraceServiceResponse).`,
      middleware: [
        bodyLimit({
          maxSize: OTLP_MAX_BODY,
          onError: () => {
            throw new PayloadTooLargeError(`OTLP request bodies are limited to ${OTLP_MAX_BODY} bytes; export smaller batches.`);
          },
        }),
      ],
      responses: { 200: json(OtlpResult, 'Spans stored (partialSuccess names rejected spans).'), ...problems(400, 503), 413: { description: 'Body over 8 MiB (PAYLOAD_TOO_LARGE)' }, 415: { description: 'Content type not supported' } },
    }),
    async (c) => {
      const type = c.req.header('Content-Type') ?? '';
      const body = new Uint8Array(await c.req.arrayBuffer());
      const res = await receiveTraces(s.ctx, body, type, c.req.header('Content-Encoding') ?? '');
      if (/protobuf/i.test(type)) return c.body(otlpProtoResponse(res) as never, 200, { 'Content-Type': 'application/x-protobuf' }) as never;
      return c.json(res.rejected ? { partialSuccess: { rejectedSpans: res.rejected, errorMessage: res.errorMessage ?? '' } } : {}, 200);
    },
  );
}
