-- /metrics switchyard_retries_total{group}: messages the tap saw on each group's retry topic (`<group>.retry`),
-- tapped in (after, upto]; the registry adds each window to the counts before (metrics/source.ts `cumulative`).
-- Grouped by the sort key rather than FINAL: the tap may store a re-read tail twice until merges dedupe it, and
-- FINAL would widen the tapped_at skip index's pick to most of the table. Parameters: after, upto.
SELECT topic, count() AS n
FROM
(
    SELECT topic, partition, offset
    FROM events
    WHERE tapped_at > {after:DateTime64(3, 'UTC')} AND tapped_at <= {upto:DateTime64(3, 'UTC')} AND is_retry
    GROUP BY topic, partition, offset
)
GROUP BY topic
