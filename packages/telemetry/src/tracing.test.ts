/**
 * Tracing set-up: one provider per service sharing one exporter, W3C context through carriers, withSpan.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { extractContext, initTracing, injectContext, tracerFor, withSpan } from './tracing';
import type { Tracing } from './tracing';

let tracing: Tracing;
beforeAll(() => {
  tracing = initTracing({ serviceName: 'main-svc', exporter: 'memory', processor: 'simple' });
});
afterAll(async () => {
  await tracing.shutdown();
});

describe('tracing', () => {
  it('is set up once: a second init returns the same handle', () => {
    expect(initTracing({ serviceName: 'other', exporter: 'none' })).toBe(tracing);
  });

  it('gives each service its own resource service.name, through one exporter', async () => {
    tracing.memory!.reset();
    await withSpan(tracerFor('svc-a'), 'a', {}, () => undefined);
    await withSpan(tracerFor('svc-b'), 'b', {}, () => undefined);
    trace.getTracer('lib').startSpan('global').end();
    const byName = Object.fromEntries(tracing.memory!.getFinishedSpans().map((s) => [s.name, s.resource.attributes['service.name']]));
    expect(byName).toEqual({ a: 'svc-a', b: 'svc-b', global: 'main-svc' });
  });

  it('carries context across a carrier: the remote child has the same trace and the sender as parent', async () => {
    tracing.memory!.reset();
    const carrier: Record<string, string> = {};
    await withSpan(tracerFor('producer'), 'send orders', { kind: SpanKind.PRODUCER }, () => void injectContext(carrier));
    expect(carrier.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    // Extract onto an unrelated active context: the carrier wins.
    await withSpan(tracerFor('unrelated'), 'outer', {}, async () => {
      const parent = extractContext(carrier);
      await withSpan(tracerFor('consumer'), 'process orders', { kind: SpanKind.CONSUMER, parent }, () => undefined);
    });
    const spans = tracing.memory!.getFinishedSpans();
    const send = spans.find((s) => s.name === 'send orders')!;
    const proc = spans.find((s) => s.name === 'process orders')!;
    expect(proc.spanContext().traceId).toBe(send.spanContext().traceId);
    expect(proc.parentSpanContext?.spanId).toBe(send.spanContext().spanId);
  });

  it('withSpan records a throw as an error and rethrows it', async () => {
    tracing.memory!.reset();
    class BadThing extends Error {
      readonly code = 'BAD_THING';
    }
    await expect(withSpan(tracerFor('svc'), 'fails', {}, () => Promise.reject(new BadThing('nope')))).rejects.toThrow('nope');
    const [span] = tracing.memory!.getFinishedSpans();
    expect(span!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'nope' });
    expect(span!.attributes['error.type']).toBe('BAD_THING');
    expect(span!.events.map((e) => e.name)).toContain('exception');
  });
});
