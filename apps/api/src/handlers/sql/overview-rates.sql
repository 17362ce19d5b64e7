-- Overview: messages per topic over the last window, split into originals, retries and dead letters, and messages
-- produced per source service. Parameters: {since:DateTime64(3)}, {topics:Array(String)}, {sources:Array(String)}
-- Deduped by grouping on the sort key (topic, partition, offset) rather than FINAL: the tap may store a re-read
-- tail twice until merges dedupe it, and FINAL turns off partition pruning and widens the produced_at skip
-- index's pick to most of the table (the whole day read for a minute's rows). Twins share every column but
-- tapped_at, so the filters keep or drop both.
SELECT 'topic' AS kind, topic AS name, count() AS n
FROM
(
    SELECT topic, partition, offset
    FROM events
    WHERE produced_at >= {since:DateTime64(3)} AND has({topics:Array(String)}, topic)
    GROUP BY topic, partition, offset
)
GROUP BY topic
UNION ALL
SELECT 'source' AS kind, source AS name, count() AS n
FROM
(
    SELECT topic, partition, offset, source
    FROM events
    WHERE produced_at >= {since:DateTime64(3)} AND has({sources:Array(String)}, source) AND NOT is_retry AND NOT is_dlq
    GROUP BY topic, partition, offset, source
)
GROUP BY source
