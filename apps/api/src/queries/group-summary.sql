-- GET /api/v1/consumer-groups/{group}: the latest status row of one group. Parameters: group, since.
SELECT group,
       argMax(status, ts) AS status,
       argMax(lag_messages, ts) AS lag_messages,
       argMax(lag_seconds, ts) AS lag_seconds,
       argMax(partitions, ts) AS partitions,
       argMax(topics, ts) AS topics,
       argMax(reason, ts) AS reason,
       toUnixTimestamp64Milli(max(ts)) AS updated_ms
FROM consumer_group_status
WHERE group = {group:String} AND ts >= {since:DateTime64(3, 'UTC')}
GROUP BY group
