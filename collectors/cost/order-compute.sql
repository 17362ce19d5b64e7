-- Consumer time of one order: the durations of its consumer spans (Kafka handlers and BullMQ workers). A span
-- counts as a retried attempt when it consumed a retry topic (`<group>.retry`) or carries `switchyard.attempt` > 1,
-- and as replay work when it carries `switchyard.replay_id`. Parameters: {order_id:String}.
-- An exporter may have sent a span twice: grouped by the sort key (trace_id, span_id) to count it once, rather
-- than FINAL, which widens the order_id bloom filter's pick to every granule whose key range overlaps it.
SELECT
    sum(duration_ms) / 1000 AS compute_s,
    sumIf(duration_ms, retried) / 1000 AS retry_compute_s,
    sumIf(duration_ms, replayed) / 1000 AS replay_compute_s
FROM
(
    SELECT trace_id, span_id,
           any(duration_ms) AS duration_ms,
           any(endsWith(destination, '.retry') OR toUInt32OrZero(attributes['switchyard.attempt']) > 1) AS retried,
           any(attributes['switchyard.replay_id'] != '') AS replayed
    FROM spans
    WHERE order_id = {order_id:String} AND kind = 'consumer'
    GROUP BY trace_id, span_id
)
