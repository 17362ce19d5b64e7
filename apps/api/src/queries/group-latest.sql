-- The latest status row of one consumer group (dry-run previews). Parameters: group.
SELECT group, status, lag_messages, lag_seconds, partitions, topics, reason, ts
FROM consumer_group_status
WHERE group = {group:String}
ORDER BY ts DESC
LIMIT 1
