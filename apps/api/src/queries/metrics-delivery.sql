-- /metrics switchyard_order_to_delivery_seconds: OrderDelivered events within retention, by histogram bucket.
-- idx is the 1-based index of the first bucket bound >= the value (0: above every bound). Parameters: buckets.
SELECT arrayFirstIndex(b -> s <= b, {buckets:Array(Float64)}) AS idx, count() AS n, sum(s) AS total
FROM
(
    SELECT 60 * if(JSONHas(payload, 'data'), JSONExtractFloat(payload, 'data', 'actualMinutes'), JSONExtractFloat(payload, 'actualMinutes')) AS s
    FROM events FINAL
    WHERE type = 'OrderDelivered' AND NOT is_retry AND NOT is_dlq AND replay_id = ''
)
GROUP BY idx
