-- ETA error per model and version: each prediction made in [from, to) joined by order id with the order's
-- delivery (OrderDelivered `actualMinutes`, from `events`). error = predicted - actual, so bias > 0 means the model
-- promises later than it delivers. p90 is linear-interpolated (as packages/ml `percentile`).
-- Parameters: {from:DateTime64(3)}, {to:DateTime64(3)}.
SELECT
    p.model AS model, p.model_version AS model_version,
    count() AS n,
    avg(abs(p.prediction - d.actual)) AS mae,
    quantileExactInclusive(0.9)(abs(p.prediction - d.actual)) AS p90_abs_error,
    avg(p.prediction - d.actual) AS bias
FROM
(
    SELECT model, model_version, order_id, prediction
    FROM inference FINAL
    WHERE task = 'eta' AND ts >= {from:DateTime64(3)} AND ts < {to:DateTime64(3)}
) AS p
INNER JOIN
(
    SELECT order_id,
        any(JSONExtractFloat(if(JSONHas(payload, 'data'), JSONExtractRaw(payload, 'data'), payload), 'actualMinutes')) AS actual
    FROM events
    WHERE type = 'OrderDelivered' AND produced_at >= {from:DateTime64(3)} AND NOT is_dlq
    GROUP BY order_id
) AS d ON p.order_id = d.order_id
GROUP BY model, model_version
ORDER BY model, model_version
