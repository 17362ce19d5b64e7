-- Overview: the latest status row of each of {groups:Array(String)} seen since {since:DateTime64(3)}.
SELECT group, argMax(status, ts) AS status, argMax(lag_messages, ts) AS lag_messages, argMax(lag_seconds, ts) AS lag_seconds
FROM consumer_group_status
WHERE ts >= {since:DateTime64(3)} AND has({groups:Array(String)}, group)
GROUP BY group
