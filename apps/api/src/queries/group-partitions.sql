-- GET /api/v1/consumer-groups/{group}: every partition of the group at its newest sweep (as
-- collectors/lag/latest-lag.sql). Parameters: group, since (DateTime64 UTC: bounds the scan).
SELECT topic, partition, committed, log_end, low, lag_messages, lag_seconds, no_commit,
       toUnixTimestamp64Milli(ts) AS updated_ms
FROM consumer_lag
WHERE group = {group:String} AND ts >= {since:DateTime64(3, 'UTC')}
  AND ts = (SELECT max(ts) FROM consumer_lag WHERE group = {group:String} AND ts >= {since:DateTime64(3, 'UTC')})
ORDER BY topic, partition
