-- Every span of the given traces, deduplicated (FINAL: an exporter may have sent a span twice), oldest first.
-- Parameters: {trace_ids:Array(String)} the traces; {limit:UInt32} a bound on the rows read back.
-- Times come back as unix microseconds so the stitcher keeps the precision of DateTime64(6).
SELECT
    trace_id, span_id, parent_span_id, name, service, kind,
    toUnixTimestamp64Micro(start) AS start_us,
    toUnixTimestamp64Micro(end) AS end_us,
    status_code, status_message, attributes, links,
    order_id, event_id, causation_id, system, destination
FROM spans FINAL
WHERE trace_id IN {trace_ids:Array(String)}
ORDER BY start, span_id
LIMIT {limit:UInt32}
