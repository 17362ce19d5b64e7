-- Per event type over [from, to): messages and bytes (all copies), and the consumer time spent handling events of
-- the type (consumer spans joined by event id). Parameters: {from:DateTime64(3)}, {to:DateTime64(3)}.
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
    FROM (SELECT event_id, duration_ms FROM spans FINAL
          WHERE kind = 'consumer' AND event_id != '' AND start >= {from:DateTime64(3)} AND start < {to:DateTime64(3)}) AS s
    INNER JOIN (SELECT event_id, any(type) AS type FROM events
                WHERE produced_at >= {from:DateTime64(3)} - INTERVAL 1 DAY AND produced_at < {to:DateTime64(3)}
                GROUP BY event_id) AS t ON s.event_id = t.event_id
    GROUP BY type
) AS c ON m.type = c.type
ORDER BY type
SETTINGS join_use_nulls = 1
