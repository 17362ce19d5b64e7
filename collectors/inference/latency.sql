-- Per model and version over [from, to): prediction count, latency percentiles and throughput.
-- Parameters: {from:DateTime64(3)}, {to:DateTime64(3)}.
-- Throughput per minute is predictions / minutes of the window (not of the span of the rows seen).
SELECT
    model, model_version, any(task) AS task,
    count() AS n,
    quantileExactInclusive(0.5)(latency_ms) AS p50,
    quantileExactInclusive(0.9)(latency_ms) AS p90,
    quantileExactInclusive(0.99)(latency_ms) AS p99,
    count() / greatest(dateDiff('millisecond', {from:DateTime64(3)}, {to:DateTime64(3)}) / 60000, 1e-9) AS per_min
FROM inference FINAL
WHERE ts >= {from:DateTime64(3)} AND ts < {to:DateTime64(3)}
GROUP BY model, model_version
ORDER BY model, model_version
