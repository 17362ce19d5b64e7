-- /metrics switchyard_inference_error_minutes: mean absolute error of ETA predictions against the delivered
-- orders' actual minutes, per model and version, over predictions made since `since` (DateTime64 UTC).
SELECT i.model AS model, i.model_version AS model_version, avg(abs(i.prediction - d.actual)) AS mae
FROM (SELECT model, model_version, order_id, prediction FROM inference FINAL WHERE task = 'eta' AND ts >= {since:DateTime64(3, 'UTC')}) AS i
INNER JOIN
(
    SELECT order_id, any(if(JSONHas(payload, 'data'), JSONExtractFloat(payload, 'data', 'actualMinutes'), JSONExtractFloat(payload, 'actualMinutes'))) AS actual
    FROM events
    WHERE type = 'OrderDelivered' AND produced_at >= {since:DateTime64(3, 'UTC')}
    GROUP BY order_id
) AS d ON i.order_id = d.order_id
GROUP BY model, model_version
