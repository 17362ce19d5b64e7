-- inference: one row per model prediction (EtaPredicted, FraudScored), materialised from `events` by
-- collectors/inference (materialize.sql, a periodic job). Parameters: ${RETENTION_DAYS}.
-- Read by: collectors/inference (latency percentiles, throughput, ETA error, fraud precision/recall, feature
-- drift: all per model and version over a time range) and collectors/cost (inferences per order).
--
-- Engine: ReplacingMergeTree(tapped_at). The job re-reads a short overlap of `events` on every run (rows can land
-- in `events` a little out of tap order), so one prediction may be inserted twice; its event id, model and
-- occurrence time are the same each time, so the merge keeps one. Reads dedupe with FINAL.
-- ORDER BY (model, model_version, ts, event_id): every read names a model (and version) and a time range;
-- event_id last makes the key the identity of a prediction. Reads by order id use the bloom-filter index.
CREATE TABLE IF NOT EXISTS inference
(
    ts            DateTime64(3, 'UTC'),
    task          LowCardinality(String),
    model         LowCardinality(String),
    model_version LowCardinality(String),
    event_id      String,
    order_id      String,
    latency_ms    Float64,
    prediction    Float64,
    features      Map(String, Float64),
    categorical   Map(String, String),
    tapped_at     DateTime64(3, 'UTC'),
    INDEX idx_order_id order_id TYPE bloom_filter(0.01) GRANULARITY 4
)
ENGINE = ReplacingMergeTree(tapped_at)
PARTITION BY toDate(ts)
ORDER BY (model, model_version, ts, event_id)
TTL toDateTime(ts) + INTERVAL ${RETENTION_DAYS} DAY
SETTINGS ttl_only_drop_parts = 1;
