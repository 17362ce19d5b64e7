-- Retry rate per Kafka consumer group over a time window, from the tap's `events` table.
-- A group's retries are the rows on its retry topic `<group>.retry` (is_retry = 1); the header sy-original-topic
-- names the topic the group was consuming. retry_rate = messages that needed at least one retry / messages tapped
-- on those original topics in the same window (the group reads whole topics, so that is its input).
-- Parameters:
--   {from:DateTime64(3)}    window start on tapped_at (inclusive)
--   {to:DateTime64(3)}      window end (exclusive)
--   {groups:Array(String)}  groups to report; an empty array reports every group with retries in the window
WITH retries AS
(
    SELECT
        replaceRegexpOne(topic, '\\.retry$', '') AS grp,
        headers['sy-original-topic'] AS origin_topic,
        count() AS retries,
        uniqExact(headers['sy-original-partition'], headers['sy-original-offset']) AS messages_retried
    FROM events FINAL
    WHERE is_retry = 1 AND endsWith(topic, '.retry')
      AND tapped_at >= {from:DateTime64(3)} AND tapped_at < {to:DateTime64(3)}
      AND (empty({groups:Array(String)}) OR has({groups:Array(String)}, replaceRegexpOne(topic, '\\.retry$', '')))
    GROUP BY grp, origin_topic
),
inputs AS
(
    SELECT topic AS origin_topic, count() AS messages
    FROM events FINAL
    WHERE tapped_at >= {from:DateTime64(3)} AND tapped_at < {to:DateTime64(3)}
      AND topic IN (SELECT origin_topic FROM retries)
    GROUP BY topic
)
SELECT
    grp AS group,
    sum(retries) AS retries,
    sum(messages_retried) AS messages_retried,
    sum(messages) AS messages,
    if(messages = 0, 0, messages_retried / messages) AS retry_rate
FROM retries LEFT JOIN inputs USING (origin_topic)
GROUP BY grp
ORDER BY grp
