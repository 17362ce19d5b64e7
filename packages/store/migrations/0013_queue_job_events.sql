-- queue_job_events: the BullMQ job event stream (added, waiting, active, completed, failed, retries-exhausted, stalled,
-- delayed, progress) as seen through QueueEvents, written by collectors/queues. For completed and failed the job is
-- read back: wait_ms = processedOn - timestamp, processing_ms = finishedOn - processedOn, attempts = attemptsMade.
-- Read by: the API's queue views (wait and processing time percentiles, retry rate: collectors/queues/retry-rate.sql),
-- the order view (events of one order_id), and the cost collector (jobs and retries per order).
-- ORDER BY (queue, event, ts): reads name a queue and usually an event kind over a time range; order_id lookups go
-- through the bloom-filter skip index.
CREATE TABLE IF NOT EXISTS queue_job_events
(
    ts DateTime64(3, 'UTC'),
    queue LowCardinality(String),
    job_id String,
    event LowCardinality(String),
    attempts UInt32,
    wait_ms Nullable(Int64),
    processing_ms Nullable(Int64),
    failed_reason String,
    order_id String,
    INDEX idx_order_id order_id TYPE bloom_filter(0.01) GRANULARITY 4
)
ENGINE = MergeTree
PARTITION BY toDate(ts)
ORDER BY (queue, event, ts)
TTL toDateTime(ts) + INTERVAL ${RETENTION_DAYS} DAY
