-- fraud_labels: the truth about an order's fraud, as it becomes known (a charge-back says fraud; a settled
-- payment past the dispute window says not fraud). Written by collectors/inference (labels.sql) from FraudLabelled
-- events, which the pipeline's payment simulation publishes after the dispute window (or any label feed).
-- Parameters: ${RETENTION_DAYS}.
-- Read by: collectors/inference (fraud-quality.sql: precision and recall of FraudScored at a threshold, joined by
-- order id).
--
-- Engine: ReplacingMergeTree(labelled_at) keyed by order_id: a later label replaces an earlier one (a dispute
-- reversed); reads use FINAL. ORDER BY order_id: the only read is the join by order id.
CREATE TABLE IF NOT EXISTS fraud_labels
(
    order_id    String,
    is_fraud    UInt8,
    labelled_at DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(labelled_at)
ORDER BY order_id
TTL toDateTime(labelled_at) + INTERVAL ${RETENTION_DAYS} DAY;
