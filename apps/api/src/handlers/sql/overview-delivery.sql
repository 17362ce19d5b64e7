-- Overview: order-to-delivery time (OrderCreated → OrderDelivered produce times, originals only) per time bucket of the
-- delivery, p50 and p99 in seconds. Parameters: {from:DateTime64(3)}, {to:DateTime64(3)}, {bucket:UInt32} seconds
SELECT toStartOfInterval(delivered, toIntervalSecond({bucket:UInt32})) AS start,
       count() AS n,
       quantile(0.5)(seconds) AS p50,
       quantile(0.99)(seconds) AS p99
FROM
(
    SELECT order_id,
           minIf(produced_at, type = 'OrderDelivered') AS delivered,
           dateDiff('millisecond', minIf(produced_at, type = 'OrderCreated'), minIf(produced_at, type = 'OrderDelivered')) / 1000 AS seconds
    FROM events
    WHERE type IN ('OrderCreated', 'OrderDelivered') AND NOT is_retry AND NOT is_dlq AND replay_id = ''
      AND produced_at >= {from:DateTime64(3)} - INTERVAL 1 DAY AND produced_at < {to:DateTime64(3)}
    GROUP BY order_id
    HAVING countIf(type = 'OrderCreated') > 0 AND countIf(type = 'OrderDelivered') > 0
)
WHERE delivered >= {from:DateTime64(3)} AND delivered < {to:DateTime64(3)}
GROUP BY start
ORDER BY start
