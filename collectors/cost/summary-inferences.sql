-- Predictions per time bucket over [from, to). Parameters: {from:DateTime64(3)}, {to:DateTime64(3)}, {bucket:UInt32} seconds.
SELECT toStartOfInterval(ts, toIntervalSecond({bucket:UInt32})) AS bucket, count() AS inferences
FROM inference FINAL
WHERE ts >= {from:DateTime64(3)} AND ts < {to:DateTime64(3)}
GROUP BY bucket
ORDER BY bucket
