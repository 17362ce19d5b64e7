-- /metrics switchyard_consumer_lag_*: every partition of every group at the group's newest sweep since `since`,
-- one row per (group, topic) with the partitions in parallel arrays sorted by partition (a few hundred rows of
-- arrays parse and stay in memory far cheaper than one object per partition). lag_seconds is null where not
-- probed (the tuple keeps the nulls groupArray would drop). Parameters: since (DateTime64 UTC). The caller sums
-- per (group, topic) when the partitions are too many.
SELECT group, topic,
       arrayMap(t -> t.1, sorted) AS partitions,
       arrayMap(t -> t.2, sorted) AS lag_messages,
       arrayMap(t -> t.3, sorted) AS lag_seconds
FROM
(
    SELECT group, topic, arraySort(groupArray(tuple(partition, toFloat64(lag_messages), lag_seconds))) AS sorted
    FROM consumer_lag
    WHERE ts >= {since:DateTime64(3, 'UTC')}
      AND (group, ts) IN (SELECT group, max(ts) FROM consumer_lag WHERE ts >= {since:DateTime64(3, 'UTC')} GROUP BY group)
    GROUP BY group, topic
)
ORDER BY group, topic
