-- /metrics switchyard_retries_total{group}: messages the tap saw on each group's retry topic (`<group>.retry`)
-- within retention. FINAL: the tap may store a re-read tail twice until merges dedupe it.
SELECT topic, count() AS n
FROM events FINAL
WHERE is_retry
GROUP BY topic
