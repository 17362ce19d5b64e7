-- api_tokens: API tokens of the control plane, written and read by apps/api (src/auth/tokens.ts).
-- Only the sha256 of a token is kept (hash, hex); the token itself is shown once, when it is created.
-- Revoking a token inserts the same id again with revoked_at set and a higher version: ReplacingMergeTree(version)
-- keeps the newest row per id, and readers use FINAL (the table holds a handful of rows).
-- ORDER BY id: the replacing key must be the id; the API reads the whole (small) table into a cache and looks
-- tokens up by hash in memory, so no read needs another key. No TTL: a token lives until it is revoked.
CREATE TABLE IF NOT EXISTS api_tokens
(
    id String,
    name String,
    role LowCardinality(String),
    hash String,
    created_by String,
    created_at DateTime64(3, 'UTC'),
    revoked_at Nullable(DateTime64(3, 'UTC')),
    version UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY id
