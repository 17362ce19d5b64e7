-- Latest sweep of consumer_lag: one row per group, topic and partition, from the newest sweep of each group.
-- Parameters:
--   {groups:Array(String)}  groups to return; an empty array returns every group
--   {since:DateTime64(3)}   ignore sweeps older than this (bounds the scan; e.g. now - 5 minutes)
-- Feeds stageLag() and the API's consumer-group detail.
SELECT group, topic, partition, committed, log_end, low, lag_messages, lag_seconds, no_commit, ts
FROM consumer_lag
WHERE ts >= {since:DateTime64(3)}
  AND (empty({groups:Array(String)}) OR has({groups:Array(String)}, group))
  AND (group, ts) IN (
    SELECT group, max(ts) FROM consumer_lag
    WHERE ts >= {since:DateTime64(3)} AND (empty({groups:Array(String)}) OR has({groups:Array(String)}, group))
    GROUP BY group
  )
ORDER BY group, topic, partition
