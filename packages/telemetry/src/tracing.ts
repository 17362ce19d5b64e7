/**
 * Tracing: OpenTelemetry set up once per process, with one TracerProvider per service name.
 *
 * The embedded process runs many services in one process, and the trace collector groups spans by the
 * resource's `service.name`. A span attribute would not do (the resource is what OTLP groups by), so every
 * service gets its own {@link BasicTracerProvider} whose resource names it; all providers share one exporter.
 * The context manager (AsyncLocalStorage) and the W3C propagators are registered globally, once.
 * `initTracing` is the only entry point that touches globals; `tracerFor(service)` is what code calls.
 *
 * Messaging spans follow the OpenTelemetry messaging semantic conventions: see {@link MSG} and
 * `spanName(operation, destination)`. BullMQ is not a system named by the conventions: we use
 * `messaging.system = 'bullmq'` and the queue name as `messaging.destination.name`.
 */
import { context, propagation, trace, SpanStatusCode, defaultTextMapGetter, defaultTextMapSetter } from '@opentelemetry/api';
import type { Context, Link, Span, SpanKind, Tracer, Attributes } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';

export { InMemorySpanExporter };
export type { ReadableSpan, SpanExporter };

/** Messaging semantic-convention attribute names (OpenTelemetry semconv 1.3x, messaging). */
export const MSG = {
  system: 'messaging.system',
  destination: 'messaging.destination.name',
  partition: 'messaging.destination.partition.id',
  operationType: 'messaging.operation.type',
  operationName: 'messaging.operation.name',
  group: 'messaging.consumer.group.name',
  messageId: 'messaging.message.id',
  bodySize: 'messaging.message.body.size',
  batchCount: 'messaging.batch.message_count',
  kafkaKey: 'messaging.kafka.message.key',
  kafkaOffset: 'messaging.kafka.offset',
} as const;

/** `messaging.operation.type` values we use. */
export type MessagingOperation = 'send' | 'receive' | 'process' | 'create' | 'settle';

/** Span name per the messaging conventions: `"<operation> <destination>"`, e.g. `send orders`. */
export function spanName(operation: string, destination: string): string {
  return `${operation} ${destination}`;
}

/** Options of {@link initTracing}. */
export interface TracingOptions {
  /** The process's main service: the global tracer provider's `service.name`. */
  serviceName: string;
  /**
   * Where spans go: a SpanExporter (e.g. the trace collector's in-process exporter), `'otlp'` (OTLP/HTTP to
   * `otlpEndpoint`), `'memory'` (an {@link InMemorySpanExporter}, for tests), or `'none'`.
   * Default: `'otlp'` when `otlpEndpoint` is set, else `'none'` (spans are created, so ids propagate, but not exported).
   */
  exporter?: SpanExporter | 'otlp' | 'memory' | 'none';
  /** OTLP/HTTP base URL, e.g. `http://127.0.0.1:4318`; `/v1/traces` is appended unless present. Default none. */
  otlpEndpoint?: string;
  /** Span processor: `'batch'` (default, for production) or `'simple'` (export at span end, for tests). */
  processor?: 'batch' | 'simple';
}

/** The handle returned by {@link initTracing}. */
export interface Tracing {
  /** The in-memory exporter when `exporter: 'memory'`, else null. */
  readonly memory: InMemorySpanExporter | null;
  /** A tracer whose spans carry `service.name = service` as their resource. */
  tracerFor(service: string): Tracer;
  /** Exports every span ended so far. */
  flush(): Promise<void>;
  /** Flushes, shuts the exporter down and unregisters the globals (a later `initTracing` starts afresh). */
  shutdown(): Promise<void>;
}

/** The shared exporter, wrapped so that one provider shutting down does not shut it down for the others. */
class SharedExporter implements SpanExporter {
  constructor(readonly inner: SpanExporter) {}
  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.inner.export(spans, done);
  }
  async shutdown(): Promise<void> {}
  async forceFlush(): Promise<void> {
    await this.inner.forceFlush?.();
  }
}

interface State {
  handle: Tracing;
  providers: Map<string, BasicTracerProvider>;
}
let state: State | null = null;

function makeExporter(opts: TracingOptions): { exporter: SpanExporter | null; memory: InMemorySpanExporter | null } {
  const choice = opts.exporter ?? (opts.otlpEndpoint ? 'otlp' : 'none');
  if (choice === 'none') return { exporter: null, memory: null };
  if (choice === 'memory') {
    const memory = new InMemorySpanExporter();
    return { exporter: memory, memory };
  }
  if (choice === 'otlp') {
    const base = (opts.otlpEndpoint ?? 'http://127.0.0.1:4318').replace(/\/+$/, '');
    return { exporter: new OTLPTraceExporter({ url: base.endsWith('/v1/traces') ? base : `${base}/v1/traces` }), memory: null };
  }
  return { exporter: choice, memory: choice instanceof InMemorySpanExporter ? choice : null };
}

/**
 * Sets up tracing for the process: the global context manager and propagators, and a provider per service
 * sharing one exporter. Only the first call configures; later calls return the same handle (so every service in
 * the embedded process can call it safely). Call `shutdown()` on the handle to start afresh.
 */
export function initTracing(opts: TracingOptions): Tracing {
  if (state) return state.handle;
  const { exporter, memory } = makeExporter(opts);
  const shared = exporter ? new SharedExporter(exporter) : null;
  const providers = new Map<string, BasicTracerProvider>();
  const processor = (): SpanProcessor[] => {
    if (!shared) return [];
    return [opts.processor === 'simple' ? new SimpleSpanProcessor(shared) : new BatchSpanProcessor(shared)];
  };
  const providerFor = (service: string): BasicTracerProvider => {
    let p = providers.get(service);
    if (!p) {
      p = new BasicTracerProvider({
        resource: defaultResource().merge(resourceFromAttributes({ 'service.name': service })),
        spanProcessors: processor(),
      });
      providers.set(service, p);
    }
    return p;
  };
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }));
  trace.setGlobalTracerProvider(providerFor(opts.serviceName));
  const handle: Tracing = {
    memory,
    tracerFor: (service) => providerFor(service).getTracer('@switchyard/telemetry'),
    flush: async () => {
      await Promise.all([...providers.values()].map((p) => p.forceFlush()));
    },
    shutdown: async () => {
      if (state?.handle !== handle) return;
      state = null;
      await Promise.all([...providers.values()].map((p) => p.shutdown()));
      await exporter?.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
  state = { handle, providers };
  return handle;
}

/** The current tracing handle, or null before {@link initTracing}. */
export function currentTracing(): Tracing | null {
  return state?.handle ?? null;
}

/**
 * A tracer for a service. Before {@link initTracing} (or after shutdown) it is the API's no-op tracer, which still
 * carries a parent's span context through, so trace context is passed on even where nothing is recorded.
 * Cheap: call it where the span starts rather than caching it across an init.
 */
export function tracerFor(service: string): Tracer {
  return state ? state.handle.tracerFor(service) : trace.getTracer(service);
}

// Injection and extraction use W3C trace context directly rather than the global propagator, so that a process
// that never initialised tracing still passes on the context it received.
const w3c = new W3CTraceContextPropagator();

/** Writes `traceparent` (and `tracestate`) of `ctx` (default: the active context) into a carrier. */
export function injectContext(carrier: Record<string, string>, ctx: Context = context.active()): Record<string, string> {
  w3c.inject(ctx, carrier, defaultTextMapSetter);
  return carrier;
}

/** Reads `traceparent`/`tracestate` from a carrier (Kafka headers, BullMQ job data) into a context on `base`. */
export function extractContext(carrier: Record<string, string | undefined>, base: Context = context.active()): Context {
  return w3c.extract(base, carrier, defaultTextMapGetter);
}

/** Options of {@link withSpan}. */
export interface SpanOptions {
  /** Default INTERNAL. */
  kind?: SpanKind;
  attributes?: Attributes;
  links?: Link[];
  /** Parent context (default: the active context). */
  parent?: Context;
}

/**
 * Runs `fn` inside an active span and ends it. A throw records the exception, sets the status to ERROR and
 * `error.type` to the error's `code` or class name, and rethrows.
 */
export async function withSpan<T>(tracer: Tracer, name: string, opts: SpanOptions, fn: (span: Span) => Promise<T> | T): Promise<T> {
  const parent = opts.parent ?? context.active();
  return tracer.startActiveSpan(name, { kind: opts.kind, attributes: opts.attributes, links: opts.links }, parent, async (span) => {
    try {
      return await fn(span);
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      span.recordException(e);
      span.setStatus({ code: SpanStatusCode.ERROR, message: e.message });
      const code = (e as { code?: unknown }).code;
      span.setAttribute('error.type', typeof code === 'string' ? code : e.name);
      throw err;
    } finally {
      span.end();
    }
  });
}
