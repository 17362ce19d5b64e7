-- /metrics switchyard_inference_latency_seconds: predictions within retention per model and version, by bucket
-- (idx as in metrics-delivery.sql). Parameters: buckets (seconds).
SELECT model, model_version, arrayFirstIndex(b -> s <= b, {buckets:Array(Float64)}) AS idx, count() AS n, sum(s) AS total
FROM (SELECT model, model_version, latency_ms / 1000 AS s FROM inference FINAL)
GROUP BY model, model_version, idx
