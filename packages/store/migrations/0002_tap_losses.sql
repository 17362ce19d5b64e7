-- tap_losses: messages that retention removed before a consumer group read them (collectors/tap/losses.ts).
-- Parameters: ${RETENTION_DAYS}.
--
-- A loss is (group, topic, partition, from_offset): from_offset is the group's committed offset when the broker's
-- low watermark had already passed it. Sweeps repeat; while the group stays behind, a later sweep sees the same
-- from_offset with a larger to_offset, so ReplacingMergeTree(detected_at) on that key keeps the latest extent of
-- each gap (read with FINAL). ORDER BY starts with group, topic because the readers ask "what did group G lose"
-- and "losses on topic T".
CREATE TABLE IF NOT EXISTS tap_losses
(
    group        String,
    topic        LowCardinality(String),
    partition    UInt32,
    from_offset  UInt64,
    to_offset    UInt64,
    lost         UInt64,
    detected_at  DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(detected_at)
ORDER BY (group, topic, partition, from_offset)
TTL toDateTime(detected_at) + INTERVAL ${RETENTION_DAYS} DAY;
