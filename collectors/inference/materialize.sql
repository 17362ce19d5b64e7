-- Materialises predictions from `events` into `inference`: one row per EtaPredicted / FraudScored event.
-- Parameters: {since:DateTime64(3)} rows tapped after this time are (re)read; the job passes its watermark minus
-- an overlap, and the ReplacingMergeTree key of `inference` folds the re-read rows into one.
--
-- `payload` is the Kafka message value: the envelope (`data` inside) or, from a foreign producer, the data alone.
-- Older versions are upgraded here as the contracts do: EtaPredicted v1 (`etaSeconds`, `model` = name@version),
-- FraudScored v1 (`score` as a percentage). Numeric features go to `features`, the rest (strings, booleans) to
-- `categorical`. Retry, dead-letter, replayed and redriven copies are not new predictions and are skipped.
INSERT INTO inference (ts, task, model, model_version, event_id, order_id, latency_ms, prediction, features, categorical, tapped_at)
SELECT
    coalesce(parseDateTime64BestEffortOrNull(JSONExtractString(payload, 'occurredAt'), 3, 'UTC'), produced_at) AS ts,
    if(type = 'EtaPredicted', 'eta', 'fraud') AS task,
    splitByChar('@', JSONExtractString(data, 'model'))[1] AS model,
    if(JSONHas(data, 'modelVersion'), JSONExtractString(data, 'modelVersion'),
       arrayElement(splitByChar('@', JSONExtractString(data, 'model')), 2)) AS model_version,
    event_id,
    order_id,
    JSONExtractFloat(data, 'latencyMs') AS latency_ms,
    multiIf(type = 'EtaPredicted' AND JSONHas(data, 'etaMinutes'), JSONExtractFloat(data, 'etaMinutes'),
            type = 'EtaPredicted', JSONExtractFloat(data, 'etaSeconds') / 60,
            version = 1, JSONExtractFloat(data, 'score') / 100,
            JSONExtractFloat(data, 'score')) AS prediction,
    mapFromArrays(
        arrayMap(kv -> kv.1, arrayFilter(kv -> isNotNull(toFloat64OrNull(kv.2)), kvs)),
        arrayMap(kv -> toFloat64(kv.2), arrayFilter(kv -> isNotNull(toFloat64OrNull(kv.2)), kvs))) AS features,
    mapFromArrays(
        arrayMap(kv -> kv.1, arrayFilter(kv -> isNull(toFloat64OrNull(kv.2)), kvs)),
        arrayMap(kv -> if(startsWith(kv.2, '"'), JSONExtractString(kv.2), kv.2), arrayFilter(kv -> isNull(toFloat64OrNull(kv.2)), kvs))) AS categorical,
    tapped_at
FROM
(
    SELECT *,
        if(JSONHas(payload, 'data'), JSONExtractRaw(payload, 'data'), payload) AS data,
        JSONExtractKeysAndValuesRaw(data, 'features') AS kvs
    FROM events
    WHERE type IN ('EtaPredicted', 'FraudScored')
      AND tapped_at > {since:DateTime64(3)}
      AND NOT is_retry AND NOT is_dlq AND replay_id = '' AND redrive_id = ''
)
