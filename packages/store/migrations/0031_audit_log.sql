-- audit_log: one row per operator action and per step of its outcome (accepted, rejected, done, failed, cancelled),
-- written by apps/api (src/audit.ts, the `audit()` function that every action engine calls).
-- Read by: GET /api/v1/audit (apps/api/src/queries/audit-list.sql): newest first, filtered by time range, action,
-- actor, outcome or target, paged by an (at, id) cursor; and the console's audit log.
-- ORDER BY (at, id): every read is a time range walked newest first with the (at, id) cursor, so the key is the
-- sort order and the cursor's seek; filters on action/actor/target go through the skip indexes. PARTITION BY month.
-- No TTL: the audit trail is kept until an operator drops old partitions on purpose.
CREATE TABLE IF NOT EXISTS audit_log
(
    id String,
    at DateTime64(3, 'UTC'),
    actor String,
    actor_id String,
    role LowCardinality(String),
    action LowCardinality(String),
    target String,
    reason String,
    selection String,
    dry_run UInt8,
    preview String,
    outcome LowCardinality(String),
    detail String,
    idempotency_key String,
    request_id String,
    INDEX idx_target target TYPE bloom_filter(0.01) GRANULARITY 4,
    INDEX idx_actor actor_id TYPE bloom_filter(0.01) GRANULARITY 4
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(at)
ORDER BY (at, id)
