-- GET /api/v1/consumer-groups/{group}: the group's total lag over [from, to], one point per `step` seconds (the
-- worst sweep in each step). Parameters: group, from, to, step (seconds, >= 1).
SELECT toUnixTimestamp64Milli(toDateTime64(toStartOfInterval(ts, toIntervalSecond({step:UInt32})), 3)) AS at_ms,
       max(lm) AS lag_messages,
       max(ls) AS lag_seconds
FROM
(
    SELECT ts, sum(lag_messages) AS lm, max(lag_seconds) AS ls
    FROM consumer_lag
    WHERE group = {group:String} AND ts >= {from:DateTime64(3, 'UTC')} AND ts <= {to:DateTime64(3, 'UTC')}
    GROUP BY ts
)
GROUP BY at_ms
ORDER BY at_ms
