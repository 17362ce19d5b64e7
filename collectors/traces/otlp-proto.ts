/**
 * The subset of the OTLP protobuf schema the receiver decodes: ExportTraceServiceRequest down to spans, links,
 * status and attribute values (opentelemetry-proto v1, field numbers as in trace.proto, common.proto,
 * resource.proto and trace_service.proto). Span events are not stored, so they are left out and protobufjs skips
 * them as unknown fields. @opentelemetry/otlp-transformer 0.223 ships only a serializer, no request decoder.
 *
 * Field names are camelCase, so a decoded request has the same shape as OTLP/JSON and one walker reads both.
 */
import protobuf from 'protobufjs';

const descriptor = {
  nested: {
    otlp: {
      nested: {
        ExportTraceServiceRequest: { fields: { resourceSpans: { rule: 'repeated', type: 'ResourceSpans', id: 1 } } },
        ResourceSpans: {
          fields: {
            resource: { type: 'Resource', id: 1 },
            scopeSpans: { rule: 'repeated', type: 'ScopeSpans', id: 2 },
            schemaUrl: { type: 'string', id: 3 },
          },
        },
        Resource: { fields: { attributes: { rule: 'repeated', type: 'KeyValue', id: 1 } } },
        ScopeSpans: {
          fields: {
            scope: { type: 'InstrumentationScope', id: 1 },
            spans: { rule: 'repeated', type: 'Span', id: 2 },
            schemaUrl: { type: 'string', id: 3 },
          },
        },
        InstrumentationScope: { fields: { name: { type: 'string', id: 1 }, version: { type: 'string', id: 2 } } },
        Span: {
          fields: {
            traceId: { type: 'bytes', id: 1 },
            spanId: { type: 'bytes', id: 2 },
            traceState: { type: 'string', id: 3 },
            parentSpanId: { type: 'bytes', id: 4 },
            name: { type: 'string', id: 5 },
            kind: { type: 'int32', id: 6 },
            startTimeUnixNano: { type: 'fixed64', id: 7 },
            endTimeUnixNano: { type: 'fixed64', id: 8 },
            attributes: { rule: 'repeated', type: 'KeyValue', id: 9 },
            links: { rule: 'repeated', type: 'Link', id: 13 },
            status: { type: 'Status', id: 15 },
          },
        },
        Link: {
          fields: {
            traceId: { type: 'bytes', id: 1 },
            spanId: { type: 'bytes', id: 2 },
            attributes: { rule: 'repeated', type: 'KeyValue', id: 4 },
          },
        },
        Status: { fields: { message: { type: 'string', id: 2 }, code: { type: 'int32', id: 3 } } },
        KeyValue: { fields: { key: { type: 'string', id: 1 }, value: { type: 'AnyValue', id: 2 } } },
        AnyValue: {
          oneofs: { value: { oneof: ['stringValue', 'boolValue', 'intValue', 'doubleValue', 'arrayValue', 'kvlistValue', 'bytesValue'] } },
          fields: {
            stringValue: { type: 'string', id: 1 },
            boolValue: { type: 'bool', id: 2 },
            intValue: { type: 'int64', id: 3 },
            doubleValue: { type: 'double', id: 4 },
            arrayValue: { type: 'ArrayValue', id: 5 },
            kvlistValue: { type: 'KeyValueList', id: 6 },
            bytesValue: { type: 'bytes', id: 7 },
          },
        },
        ArrayValue: { fields: { values: { rule: 'repeated', type: 'AnyValue', id: 1 } } },
        KeyValueList: { fields: { values: { rule: 'repeated', type: 'KeyValue', id: 1 } } },
      },
    },
  },
};

let requestType: protobuf.Type | undefined;

/**
 * Decodes a binary ExportTraceServiceRequest into protobufjs messages: the OTLP/JSON shape, except that ids are
 * bytes (Uint8Array) and 64-bit integers are Long objects. Only fields present on the wire are own properties.
 * Not converted with `toObject` (measured: that doubled the decode time). Throws protobufjs's error on bad input.
 */
export function decodeTraceRequestProto(body: Uint8Array): unknown {
  requestType ??= protobuf.Root.fromJSON(descriptor).lookupType('otlp.ExportTraceServiceRequest');
  return requestType.decode(body);
}
