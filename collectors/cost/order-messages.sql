-- Kafka messages of one order, from `events`. Every copy is a message that was produced, stored and moved:
-- originals, retry-topic copies, dead letters, replays, redrives. Parameters: {order_id:String}.
-- The tap may have stored an offset twice: grouped by the sort key (topic, partition, offset) to count it once,
-- rather than FINAL, which widens the order_id bloom filter's few granules to every granule whose key range
-- overlaps them (most of the table). Twins share every column but tapped_at, so any() of either is the same.
SELECT
    count() AS messages,
    sum(bytes) AS total_bytes,
    countIf(is_retry) AS retry_messages,
    sumIf(bytes, is_retry) AS retry_bytes,
    countIf(replay_id != '') AS replay_messages,
    sumIf(bytes, replay_id != '') AS replay_bytes,
    countIf(is_dlq) AS dlq_messages,
    countIf(type = 'OrderCreated' AND NOT is_retry AND NOT is_dlq AND replay_id = '' AND redrive_id = '') AS orders_created
FROM
(
    SELECT topic, partition, offset,
           any(bytes) AS bytes, any(is_retry) AS is_retry, any(replay_id) AS replay_id, any(is_dlq) AS is_dlq,
           any(type) AS type, any(redrive_id) AS redrive_id
    FROM events
    WHERE order_id = {order_id:String}
    GROUP BY topic, partition, offset
)
