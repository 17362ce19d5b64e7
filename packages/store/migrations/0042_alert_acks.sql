-- alert_acks: acknowledgements of an alert (POST /api/v1/alerts/{fingerprint}/ack): who, when, comment. An ack holds
-- for one active episode of the alert (active_at, copied from the alert when acked): while it holds the alert still
-- shows but is not re-notified; once the alert changes state (resolves, or fires again later) the ack no longer
-- matches and notifications resume.
-- Read by: the evaluator on every tick (acks of the alerts it holds) and GET /api/v1/alerts (ack shown per alert).
-- ORDER BY (fingerprint, active_at): the ack is looked up by the alert's identity and episode; a second ack of the
-- same episode replaces the first (ReplacingMergeTree(at)).
CREATE TABLE IF NOT EXISTS alert_acks
(
    fingerprint String,
    active_at DateTime64(3, 'UTC'),
    by String,
    at DateTime64(3, 'UTC'),
    comment String
)
ENGINE = ReplacingMergeTree(at)
ORDER BY (fingerprint, active_at)
TTL toDateTime(at) + INTERVAL ${RETENTION_DAYS} DAY
