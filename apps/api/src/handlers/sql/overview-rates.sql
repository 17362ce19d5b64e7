-- Overview: messages per topic over the last window, split into originals, retries and dead letters, and messages
-- produced per source service. Parameters: {since:DateTime64(3)}, {topics:Array(String)}, {sources:Array(String)}
SELECT 'topic' AS kind, topic AS name, count() AS n
FROM events FINAL
WHERE produced_at >= {since:DateTime64(3)} AND has({topics:Array(String)}, topic)
GROUP BY topic
UNION ALL
SELECT 'source' AS kind, source AS name, count() AS n
FROM events FINAL
WHERE produced_at >= {since:DateTime64(3)} AND has({sources:Array(String)}, source) AND NOT is_retry AND NOT is_dlq
GROUP BY source
