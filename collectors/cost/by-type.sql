-- Per event type over [from, to): messages and bytes (all copies), and the consumer time spent handling events of
-- the type (consumer spans joined by event id). Parameters: {from:DateTime64(3)}, {to:DateTime64(3)}.
-- The span-to-type lookup is a RIGHT SEMI JOIN: the hash table holds the window's consumer spans (the smaller
-- side) and the day's events only probe it, each span counted once however many copies of its event were stored
-- (tap twins, retry-topic copies). Grouping the events by event id first, to dedupe them, hashed every event id
-- of the day and was most of this read's time. An event's copies share its type.
SELECT m.type AS type, m.messages AS messages, m.bytes AS bytes, coalesce(c.compute_s, 0) AS compute_s
FROM
(
    SELECT type, count() AS messages, sum(bytes) AS bytes
    FROM events FINAL
    WHERE produced_at >= {from:DateTime64(3)} AND produced_at < {to:DateTime64(3)}
    GROUP BY type
) AS m
LEFT JOIN
(
    SELECT t.type AS type, sum(s.duration_ms) / 1000 AS compute_s
    FROM (SELECT event_id, type FROM events
          WHERE produced_at >= {from:DateTime64(3)} - INTERVAL 1 DAY AND produced_at < {to:DateTime64(3)}) AS t
    RIGHT SEMI JOIN (SELECT event_id, duration_ms FROM spans FINAL
                     WHERE kind = 'consumer' AND event_id != '' AND start >= {from:DateTime64(3)} AND start < {to:DateTime64(3)}) AS s
        ON t.event_id = s.event_id
    GROUP BY type
) AS c ON m.type = c.type
ORDER BY type
SETTINGS join_use_nulls = 1
