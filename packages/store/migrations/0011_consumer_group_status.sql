-- consumer_group_status: one row per sweep and consumer group, written by collectors/lag: the status judged over the
-- sliding window (OK, WARNING, STALLED, STOPPED, ERROR; rules in collectors/lag/README.md) with the group's totals.
-- Read by: the API's consumer-group list (latest row per group), the status history chart, and alert rules that fire
-- on STALLED/STOPPED/ERROR.
-- ORDER BY (group, ts): reads take the latest row of each group or one group's rows over a time range.
CREATE TABLE IF NOT EXISTS consumer_group_status
(
    ts DateTime64(3, 'UTC'),
    group LowCardinality(String),
    status LowCardinality(String),
    lag_messages Int64,
    lag_seconds Nullable(Float64),
    partitions UInt32,
    topics Array(String),
    reason String
)
ENGINE = MergeTree
PARTITION BY toDate(ts)
ORDER BY (group, ts)
TTL toDateTime(ts) + INTERVAL ${RETENTION_DAYS} DAY
