-- consumer_lag: one row per sweep, consumer group and partition, written by collectors/lag.
-- Read by: the API's consumer-group views and lag charts (one group over a time range, or every partition of a group
-- at its latest sweep), stageLag for the pipeline overview, and the lag alert rules.
-- ORDER BY (group, topic, partition, ts): every read names a group, often a topic, and scans a time range of it.
-- lag_seconds is NULL when the age of the oldest unconsumed message was not probed in that sweep (see the probe cap
-- in collectors/lag/README.md); no_commit = 1 when the group has no committed offset (lag counted from `low`).
CREATE TABLE IF NOT EXISTS consumer_lag
(
    ts DateTime64(3, 'UTC'),
    group LowCardinality(String),
    topic LowCardinality(String),
    partition UInt32,
    committed Int64,
    log_end Int64,
    low Int64,
    lag_messages Int64,
    lag_seconds Nullable(Float64),
    no_commit UInt8 DEFAULT 0
)
ENGINE = MergeTree
PARTITION BY toDate(ts)
ORDER BY (group, topic, partition, ts)
TTL toDateTime(ts) + INTERVAL ${RETENTION_DAYS} DAY
