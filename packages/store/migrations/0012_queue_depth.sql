-- queue_depth: one row per sweep, BullMQ queue and job state (waiting, active, delayed, prioritized, paused, failed,
-- completed, waiting-children) with BullMQ's own getJobCounts figure, written by collectors/queues.
-- Read by: the API's queue views and depth charts, and the queue backlog alert rules.
-- ORDER BY (queue, state, ts): reads name a queue (often a state) and scan a time range.
CREATE TABLE IF NOT EXISTS queue_depth
(
    ts DateTime64(3, 'UTC'),
    queue LowCardinality(String),
    state LowCardinality(String),
    count UInt64
)
ENGINE = MergeTree
PARTITION BY toDate(ts)
ORDER BY (queue, state, ts)
TTL toDateTime(ts) + INTERVAL ${RETENTION_DAYS} DAY
