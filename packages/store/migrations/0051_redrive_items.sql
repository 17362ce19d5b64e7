-- redrive_items: what a redrive did with each dead-letter entry it selected, written by apps/api/src/actions/redrive.ts
-- in batches as it goes: `redriven` (claimed in Redis and published to its origin), `skipped` (another redrive had
-- claimed it), `failed` (no origin, or the publish failed; its claim released). event_id links an entry to the new
-- dead letter it becomes if it fails again (same event id, new offset): that is how `failedAgain` is counted.
-- Read by: GET /api/v1/redrives/{id} (items and failedAgain). ORDER BY (redrive_id, entry_id): every read names a
-- redrive. TTL as the dead letters themselves.
CREATE TABLE IF NOT EXISTS redrive_items
(
    redrive_id String,
    entry_id String,
    event_id String,
    origin String,
    state LowCardinality(String),
    detail String,
    at DateTime64(3, 'UTC')
)
ENGINE = MergeTree
ORDER BY (redrive_id, entry_id)
TTL toDateTime(at) + INTERVAL ${RETENTION_DAYS} DAY
