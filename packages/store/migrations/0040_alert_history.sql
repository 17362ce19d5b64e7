-- alert_history: one row per alert state transition, written by the alert evaluator (apps/api/src/alerting).
-- States: pending, firing, resolved, inactive (a pending alert that cleared before `for`), and error / ok for a
-- rule whose expression failed or recovered (labels {alertname} only; annotations['error'] holds the message).
-- active_at is when the alert became pending (Prometheus' activeAt); fence is the lease fencing token of the
-- evaluator that wrote the row, so rows from a deposed evaluator can be told apart.
-- Read by: the alerting API (GET /api/v1/alerts: newest row per fingerprint gives the state and "since when";
-- GET /api/v1/alerts/history: one fingerprint or rule over a time range), and the evaluator when it takes the lease
-- (restores pending and firing alerts from the newest row per fingerprint).
-- ORDER BY (fingerprint, at): every read groups or filters by fingerprint and wants its rows in time order; history
-- by rule scans a short time range, which the day partition bounds.
CREATE TABLE IF NOT EXISTS alert_history
(
    at DateTime64(3, 'UTC'),
    fingerprint String,
    rule LowCardinality(String),
    labels Map(String, String),
    state LowCardinality(String),
    value Nullable(Float64),
    annotations Map(String, String),
    active_at DateTime64(3, 'UTC'),
    fence UInt64 DEFAULT 0,
    evaluator String DEFAULT ''
)
ENGINE = MergeTree
PARTITION BY toDate(at)
ORDER BY (fingerprint, at)
TTL toDateTime(at) + INTERVAL ${RETENTION_DAYS} DAY
