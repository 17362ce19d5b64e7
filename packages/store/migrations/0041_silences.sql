-- silences: Alertmanager-style silences (matchers with =, !=, =~, !~; starts_at/ends_at; created_by; comment),
-- written by the alerting API (POST /api/v1/silences creates, DELETE expires by writing the same id again with
-- ends_at = now and a higher updated_at). ReplacingMergeTree(updated_at) keeps the newest version of each id.
-- matchers is the JSON array [{name, op, value}] exactly as validated by the API.
-- Read by: the evaluator on every tick (silences active now, with FINAL) and GET /api/v1/silences (all, newest first).
-- ORDER BY id: the replacing key is the silence id; the table stays small (silences are few) so no other key helps.
-- No TTL on the live row: an expired silence is kept for the record; retention drops it after ends_at.
CREATE TABLE IF NOT EXISTS silences
(
    id String,
    matchers String,
    starts_at DateTime64(3, 'UTC'),
    ends_at DateTime64(3, 'UTC'),
    created_by String,
    comment String,
    created_at DateTime64(3, 'UTC'),
    updated_at DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY id
TTL toDateTime(ends_at) + INTERVAL ${RETENTION_DAYS} DAY
