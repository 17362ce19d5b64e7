-- Fraud model quality per model and version: scores made in [from, to) joined by order id with `fraud_labels`.
-- A score at or above the threshold flags the order. Unlabelled orders are left out, unless
-- {unlabelled_negative:UInt8} = 1 counts them as not fraud (for a feed that only reports charge-backs).
-- Parameters: {from:DateTime64(3)}, {to:DateTime64(3)}, {threshold:Float64}, {unlabelled_negative:UInt8}.
SELECT
    p.model AS model, p.model_version AS model_version,
    count() AS n,
    countIf(p.prediction >= {threshold:Float64} AND l.is_fraud = 1) AS tp,
    countIf(p.prediction >= {threshold:Float64} AND l.is_fraud = 0) AS fp,
    countIf(p.prediction < {threshold:Float64} AND l.is_fraud = 1) AS fn
FROM
(
    SELECT model, model_version, order_id, prediction
    FROM inference FINAL
    WHERE task = 'fraud' AND ts >= {from:DateTime64(3)} AND ts < {to:DateTime64(3)}
) AS p
LEFT JOIN (SELECT order_id, is_fraud FROM fraud_labels FINAL) AS l ON p.order_id = l.order_id
WHERE l.order_id != '' OR {unlabelled_negative:UInt8} = 1
GROUP BY model, model_version
ORDER BY model, model_version
SETTINGS join_use_nulls = 0
