-- Latest status of every consumer group (one row per group), for the consumer-group list and alert rules.
-- Parameters:
--   {since:DateTime64(3)}  ignore rows older than this (a group not swept since is left out)
SELECT group, argMax(status, ts) AS status, argMax(reason, ts) AS reason, argMax(lag_messages, ts) AS lag_messages,
       argMax(lag_seconds, ts) AS lag_seconds, argMax(partitions, ts) AS partitions, argMax(topics, ts) AS topics,
       max(ts) AS ts
FROM consumer_group_status
WHERE ts >= {since:DateTime64(3)}
GROUP BY group
ORDER BY group
