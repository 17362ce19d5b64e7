-- /metrics switchyard_order_to_delivery_seconds: OrderDelivered events tapped in (after, upto], by histogram
-- bucket; the registry adds each window to what it counted before (metrics/source.ts `cumulative`), so only the
-- first scrape reads the whole table. idx is the 1-based index of the first bucket bound >= the value (0: above
-- every bound). Parameters: buckets, after, upto.
-- Not FINAL: FINAL widens the tapped_at skip index's pick to every granule whose sort key overlaps it (most of the
-- table); grouping the window by the sort key dedupes a re-read tail the same way at a fraction of the cost.
SELECT arrayFirstIndex(b -> s <= b, {buckets:Array(Float64)}) AS idx, count() AS n, sum(s) AS total
FROM
(
    SELECT 60 * if(JSONHas(p, 'data'), JSONExtractFloat(p, 'data', 'actualMinutes'), JSONExtractFloat(p, 'actualMinutes')) AS s
    FROM
    (
        SELECT any(payload) AS p
        FROM events
        WHERE tapped_at > {after:DateTime64(3, 'UTC')} AND tapped_at <= {upto:DateTime64(3, 'UTC')}
          AND type = 'OrderDelivered' AND NOT is_retry AND NOT is_dlq AND replay_id = ''
        GROUP BY topic, partition, offset
    )
)
GROUP BY idx
