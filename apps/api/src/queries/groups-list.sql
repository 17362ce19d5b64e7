-- GET /api/v1/consumer-groups and the /metrics + SSE snapshots: the latest status row of each consumer group.
-- Parameters: since (DateTime64 UTC: groups not seen since are left out), after (cursor: groups named after it,
-- '' from the start), limit.
SELECT group,
       argMax(status, ts) AS status,
       argMax(lag_messages, ts) AS lag_messages,
       argMax(lag_seconds, ts) AS lag_seconds,
       argMax(partitions, ts) AS partitions,
       argMax(topics, ts) AS topics,
       argMax(reason, ts) AS reason,
       toUnixTimestamp64Milli(max(ts)) AS updated_ms
FROM consumer_group_status
WHERE ts >= {since:DateTime64(3, 'UTC')} AND group > {after:String}
GROUP BY group
ORDER BY group
LIMIT {limit:UInt32}
