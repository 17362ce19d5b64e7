-- Consumer span time per time bucket (by span start in [from, to)), with the retried-attempt and replay shares
-- (same rules as order-compute.sql). Parameters: {from:DateTime64(3)}, {to:DateTime64(3)}, {bucket:UInt32} seconds.
SELECT
    toStartOfInterval(start, toIntervalSecond({bucket:UInt32})) AS bucket,
    sum(duration_ms) / 1000 AS compute_s,
    sumIf(duration_ms, endsWith(destination, '.retry') OR toUInt32OrZero(attributes['switchyard.attempt']) > 1) / 1000 AS retry_compute_s,
    sumIf(duration_ms, attributes['switchyard.replay_id'] != '') / 1000 AS replay_compute_s
FROM spans FINAL
WHERE kind = 'consumer' AND start >= {from:DateTime64(3)} AND start < {to:DateTime64(3)}
GROUP BY bucket
ORDER BY bucket
