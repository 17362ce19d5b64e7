-- dead_letters: one entry per dead letter, from Kafka dead-letter topics (materialised from the tap's `events` rows on
-- `*.dlq` topics) and from BullMQ failed sets; written by collectors/dlq, and by the redrive action, which records
-- redrive_state changes as new rows with a higher `version` (ReplacingMergeTree keeps the highest version per id).
-- Materialised rows carry version 0, so re-materialising never overwrites a redrive state.
-- id: `kafka:<topic>:<partition>:<offset>` or `bullmq:<queue>:<jobId>`; for BullMQ, `topic` holds the queue name and
-- partition/offset are -1. tapped_at is the tap time of the source row: collectors/dlq's incremental watermark.
-- Read by: collectors/dlq/search.sql (the DLQ browser: by topic, order id, key or error text, newest first, with FINAL),
-- the redrive action (select entries), the cost collector (dead letters per order).
-- ORDER BY (topic, id): the replacing key must be the id; leading with topic keeps one DLQ's entries together for the
-- common "browse this topic" read. order_id/key/error text are found through the skip indexes.
CREATE TABLE IF NOT EXISTS dead_letters
(
    id String,
    source LowCardinality(String),
    topic String,
    partition Int32,
    offset Int64,
    key String,
    order_id String,
    event_type LowCardinality(String),
    error_class LowCardinality(String),
    error_message String,
    origin_topic String,
    origin_partition Int32,
    origin_offset Int64,
    group String,
    attempts UInt32,
    first_failed_at DateTime64(3, 'UTC'),
    failed_at DateTime64(3, 'UTC'),
    payload String CODEC(ZSTD(3)),
    headers Map(String, String),
    redrive_state LowCardinality(String) DEFAULT 'none',
    redriven_at Nullable(DateTime64(3, 'UTC')),
    tapped_at DateTime64(3, 'UTC'),
    version UInt64 DEFAULT 0,
    INDEX idx_order_id order_id TYPE bloom_filter(0.01) GRANULARITY 4,
    INDEX idx_key key TYPE bloom_filter(0.01) GRANULARITY 4,
    INDEX idx_error error_message TYPE ngrambf_v1(3, 8192, 3, 0) GRANULARITY 4
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (topic, id)
TTL toDateTime(failed_at) + INTERVAL ${RETENTION_DAYS} DAY
