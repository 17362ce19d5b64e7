-- actions: the state of every long-running operator action (replay, redrive), one row per state change, written by
-- apps/api/src/actions/state.ts. ReplacingMergeTree(version) keeps the newest version of each id (version = epoch ms
-- of the write, strictly increasing per action). id is the action's `accepted` audit row id.
-- state: queued | running | done | failed | cancelled. selection and preview are JSON as the API validated them.
-- Read by: GET /api/v1/replays[/{id}], GET /api/v1/redrives[/{id}] (with FINAL; newest first by created_at).
-- ORDER BY (kind, id): the replacing key is the id; kind first keeps each list's rows together. Small table.
-- No TTL: like the audit log, the record of what an operator did is kept.
CREATE TABLE IF NOT EXISTS actions
(
    id String,
    kind LowCardinality(String),
    state LowCardinality(String),
    matched UInt64,
    done UInt64,
    failed UInt64,
    skipped UInt64,
    failed_again UInt64,
    created_by String,
    created_by_id String,
    reason String,
    selection String,
    preview String,
    detail String,
    created_at DateTime64(3, 'UTC'),
    started_at Nullable(DateTime64(3, 'UTC')),
    finished_at Nullable(DateTime64(3, 'UTC')),
    updated_at DateTime64(3, 'UTC'),
    version UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (kind, id)
