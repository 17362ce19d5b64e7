-- GET /api/v1/consumer-groups/{group}: the group's status changes over [from, to] (first row, then each change).
-- Parameters: group, from, to.
SELECT at_ms, status
FROM
(
    SELECT toUnixTimestamp64Milli(ts) AS at_ms, status,
           lagInFrame(toString(status), 1, '') OVER (ORDER BY ts ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS prev
    FROM consumer_group_status
    WHERE group = {group:String} AND ts >= {from:DateTime64(3, 'UTC')} AND ts <= {to:DateTime64(3, 'UTC')}
)
WHERE status != prev
ORDER BY at_ms
LIMIT 1000
