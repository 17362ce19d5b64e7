-- Consumer time of one order: the durations of its consumer spans (Kafka handlers and BullMQ workers). A span
-- counts as a retried attempt when it consumed a retry topic (`<group>.retry`) or carries `switchyard.attempt` > 1,
-- and as replay work when it carries `switchyard.replay_id`. Parameters: {order_id:String}.
SELECT
    sum(duration_ms) / 1000 AS compute_s,
    sumIf(duration_ms, endsWith(destination, '.retry') OR toUInt32OrZero(attributes['switchyard.attempt']) > 1) / 1000 AS retry_compute_s,
    sumIf(duration_ms, attributes['switchyard.replay_id'] != '') / 1000 AS replay_compute_s
FROM spans FINAL
WHERE order_id = {order_id:String} AND kind = 'consumer'
