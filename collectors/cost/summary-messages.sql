-- Messages per time bucket over [from, to) by produce time, with the orders created in the bucket (OrderCreated
-- originals). Parameters: {from:DateTime64(3)}, {to:DateTime64(3)}, {bucket:UInt32} bucket width in seconds.
SELECT
    toStartOfInterval(produced_at, toIntervalSecond({bucket:UInt32})) AS bucket,
    count() AS messages,
    sum(bytes) AS total_bytes,
    countIf(is_retry) AS retry_messages,
    sumIf(bytes, is_retry) AS retry_bytes,
    countIf(replay_id != '') AS replay_messages,
    sumIf(bytes, replay_id != '') AS replay_bytes,
    countIf(is_dlq) AS dlq_messages,
    countIf(type = 'OrderCreated' AND NOT is_retry AND NOT is_dlq AND replay_id = '' AND redrive_id = '') AS orders_created
FROM events FINAL
WHERE produced_at >= {from:DateTime64(3)} AND produced_at < {to:DateTime64(3)}
GROUP BY bucket
ORDER BY bucket
