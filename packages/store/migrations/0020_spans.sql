-- spans: one row per OpenTelemetry span, from the OTLP/HTTP receiver and the in-process exporter
-- (collectors/traces). Parameters: ${RETENTION_DAYS}.
-- Read by: collectors/traces (getTrace: all spans of a trace id; getOrderTrace: the trace ids of an order, then
-- their spans; stitching looks spans up by event_id), collectors/cost (consumer compute time per order).
--
-- Engine: ReplacingMergeTree(received_at) keyed by (trace_id, span_id): an exporter that retries a batch (OTLP
-- clients retry on 503 and timeouts) sends the same spans again; the merge keeps one. Reads dedupe with FINAL.
-- ORDER BY (trace_id, span_id): the identity of a span and the key of the main read (a whole trace). Reads by
-- order id or event id go through the bloom-filter skip indexes. PARTITION BY day of span start, so a re-sent span
-- meets its twin and the TTL drops whole parts.
CREATE TABLE IF NOT EXISTS spans
(
    trace_id       String,
    span_id        String,
    parent_span_id String,
    name           String,
    service        LowCardinality(String),
    kind           LowCardinality(String),
    start          DateTime64(6, 'UTC'),
    end            DateTime64(6, 'UTC'),
    duration_ms    Float64,
    status_code    LowCardinality(String),
    status_message String,
    attributes     Map(String, String),
    links          Array(Tuple(trace_id String, span_id String)),
    order_id       String,
    event_id       String,
    causation_id   String,
    system         LowCardinality(String),
    destination    String,
    received_at    DateTime64(3, 'UTC') DEFAULT now64(3),
    INDEX idx_order_id order_id TYPE bloom_filter(0.01) GRANULARITY 4,
    INDEX idx_event_id event_id TYPE bloom_filter(0.01) GRANULARITY 4
)
ENGINE = ReplacingMergeTree(received_at)
PARTITION BY toDate(start)
ORDER BY (trace_id, span_id)
TTL toDateTime(start) + INTERVAL ${RETENTION_DAYS} DAY
SETTINGS ttl_only_drop_parts = 1;
