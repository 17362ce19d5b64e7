-- Kafka messages of one order, from `events` (FINAL: the tap may have stored an offset twice). Every copy is a
-- message that was produced, stored and moved: originals, retry-topic copies, dead letters, replays, redrives.
-- Parameters: {order_id:String}.
SELECT
    count() AS messages,
    sum(bytes) AS total_bytes,
    countIf(is_retry) AS retry_messages,
    sumIf(bytes, is_retry) AS retry_bytes,
    countIf(replay_id != '') AS replay_messages,
    sumIf(bytes, replay_id != '') AS replay_bytes,
    countIf(is_dlq) AS dlq_messages,
    countIf(type = 'OrderCreated' AND NOT is_retry AND NOT is_dlq AND replay_id = '' AND redrive_id = '') AS orders_created
FROM events FINAL
WHERE order_id = {order_id:String}
