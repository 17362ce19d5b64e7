-- /metrics switchyard_consumer_lag_*: every partition of every group at the group's newest sweep since `since`.
-- Parameters: since (DateTime64 UTC). The caller sums per (group, topic) when the partitions are too many.
SELECT group, topic, partition, lag_messages, lag_seconds
FROM consumer_lag
WHERE ts >= {since:DateTime64(3, 'UTC')}
  AND (group, ts) IN (SELECT group, max(ts) FROM consumer_lag WHERE ts >= {since:DateTime64(3, 'UTC')} GROUP BY group)
