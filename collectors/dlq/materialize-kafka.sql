-- Materialises Kafka dead letters into dead_letters from the tap's `events` rows on dead-letter topics (`*.dlq`),
-- with the reason and origin the bus put in headers (sy-error-class, sy-error-message, sy-attempt,
-- sy-original-topic/-partition/-offset, sy-group, sy-first-failure-at, sy-last-failure-at: epoch ms).
-- Incremental: rows tapped at or after {since}; the caller passes its watermark minus an overlap, and repeats are
-- harmless (same id, version 0: ReplacingMergeTree keeps one, and never beats a redrive row's higher version).
-- Parameters:
--   {since:DateTime64(3)}  lower bound on events.tapped_at (inclusive)
INSERT INTO dead_letters
    (id, source, topic, partition, offset, key, order_id, event_type, error_class, error_message, origin_topic,
     origin_partition, origin_offset, group, attempts, first_failed_at, failed_at, payload, headers, redrive_state,
     redriven_at, tapped_at, version)
SELECT
    concat('kafka:', topic, ':', toString(partition), ':', toString(offset)),
    'kafka',
    topic,
    toInt32(partition),
    toInt64(offset),
    key,
    order_id,
    type,
    headers['sy-error-class'],
    headers['sy-error-message'],
    headers['sy-original-topic'],
    toInt32OrDefault(headers['sy-original-partition'], toInt32(-1)),
    toInt64OrDefault(headers['sy-original-offset'], toInt64(-1)),
    headers['sy-group'],
    toUInt32OrZero(headers['sy-attempt']),
    if(toInt64OrZero(headers['sy-first-failure-at']) > 0, fromUnixTimestamp64Milli(toInt64OrZero(headers['sy-first-failure-at']), 'UTC'), produced_at),
    if(toInt64OrZero(headers['sy-last-failure-at']) > 0, fromUnixTimestamp64Milli(toInt64OrZero(headers['sy-last-failure-at']), 'UTC'), produced_at),
    payload,
    headers,
    'none',
    NULL,
    tapped_at,
    0
FROM events FINAL
WHERE (is_dlq OR endsWith(topic, '.dlq'))
  AND tapped_at >= {since:DateTime64(3)}
