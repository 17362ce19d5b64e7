-- Per service over [from, to): messages and bytes it produced (`events.source`) and its consumer time
-- (`spans.service`). Parameters: {from:DateTime64(3)}, {to:DateTime64(3)}.
SELECT service, sum(messages) AS messages, sum(bytes) AS bytes, sum(compute_s) AS compute_s
FROM
(
    SELECT toString(source) AS service, count() AS messages, sum(bytes) AS bytes, 0 AS compute_s
    FROM events FINAL
    WHERE produced_at >= {from:DateTime64(3)} AND produced_at < {to:DateTime64(3)}
    GROUP BY service
    UNION ALL
    SELECT toString(service) AS service, 0 AS messages, 0 AS bytes, sum(duration_ms) / 1000 AS compute_s
    FROM spans FINAL
    WHERE kind = 'consumer' AND start >= {from:DateTime64(3)} AND start < {to:DateTime64(3)}
    GROUP BY service
)
GROUP BY service
ORDER BY service
