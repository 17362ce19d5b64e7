-- Materialises fraud labels from `events` into `fraud_labels`: one row per FraudLabelled event (the outcome of an
-- order's fraud, known after the dispute window: a charge-back, a settled payment, a review's verdict).
-- Parameters: {since:DateTime64(3)} rows tapped after this time are (re)read, the same watermark as
-- materialize.sql; `fraud_labels` keeps one row per order (the newest `labelled_at`), so re-read labels fold.
--
-- `payload` is the envelope (`data` inside) or, from a foreign producer, the data alone. `labelled_at` is the
-- envelope's `occurredAt`. Retry, dead-letter, replayed and redriven copies are not new outcomes and are skipped.
INSERT INTO fraud_labels (order_id, is_fraud, labelled_at)
SELECT
    order_id,
    JSONExtractBool(data, 'isFraud') AS is_fraud,
    coalesce(parseDateTime64BestEffortOrNull(JSONExtractString(payload, 'occurredAt'), 3, 'UTC'), produced_at) AS labelled_at
FROM
(
    SELECT *, if(JSONHas(payload, 'data'), JSONExtractRaw(payload, 'data'), payload) AS data
    FROM events
    WHERE type = 'FraudLabelled'
      AND tapped_at > {since:DateTime64(3)}
      AND NOT is_retry AND NOT is_dlq AND replay_id = '' AND redrive_id = ''
)
WHERE order_id != '' AND JSONHas(data, 'isFraud')
