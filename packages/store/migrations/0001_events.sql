-- events: one row per Kafka message the tap read (collectors/tap). Parameters: ${RETENTION_DAYS}.
--
-- Engine: ReplacingMergeTree keyed by (topic, partition, offset). The tap commits offsets only after rows are
-- stored, so a restart or rebalance re-reads (and re-inserts) the tail it had stored but not yet committed; the
-- merge keeps one row per offset. Reads that count or sum must use FINAL (or GROUP BY the key) until merges catch
-- up. We chose this over an insert-time "already stored?" check because that check races between tap instances
-- and costs a read per batch; FINAL on a (topic, partition, offset) key is cheap for the time-bounded reads below.
--
-- ORDER BY (topic, partition, offset): the dedupe key, and also the key of the reads that scan by position: replay
-- selections "topic T, offsets A..B" and "topic T between two times" (offsets grow with time within a partition),
-- the DLQ browser (topic = '<group>.dlq'), per-topic rates. Reads by order, trace or event id go through the
-- bloom-filter skip indexes instead. PARTITION BY day of produce time: a re-read row has the same produce time, so
-- it lands in the same partition and still meets its twin (ReplacingMergeTree only dedupes within a partition).
-- TTL counts from the tap time, not the produce time: a topic backfilled with old timestamps must not be deleted
-- the moment it is stored; whole parts are dropped once their newest row has expired.
CREATE TABLE IF NOT EXISTS events
(
    topic          LowCardinality(String),
    partition      UInt32,
    offset         UInt64,
    key            String,
    event_id       String,
    type           LowCardinality(String),
    version        UInt16,
    order_id       String,
    trace_id       String,
    span_id        String,
    causation_id   String,
    correlation_id String,
    source         LowCardinality(String),
    bytes          UInt32,
    produced_at    DateTime64(3, 'UTC'),
    tapped_at      DateTime64(3, 'UTC'),
    headers        Map(String, String),
    payload        String CODEC(ZSTD(3)),
    is_retry       Bool,
    is_dlq         Bool,
    replay_id      String,
    redrive_id     String,
    INDEX idx_order_id order_id TYPE bloom_filter(0.01) GRANULARITY 4,
    INDEX idx_trace_id trace_id TYPE bloom_filter(0.01) GRANULARITY 4,
    INDEX idx_event_id event_id TYPE bloom_filter(0.01) GRANULARITY 4,
    INDEX idx_type type TYPE set(256) GRANULARITY 4
)
ENGINE = ReplacingMergeTree(tapped_at)
PARTITION BY toDate(produced_at)
ORDER BY (topic, partition, offset)
TTL toDateTime(tapped_at) + INTERVAL ${RETENTION_DAYS} DAY
SETTINGS ttl_only_drop_parts = 1;
