-- Redrive: the dead letters a redrive selects, oldest failure first. Parameters:
--   {ids:Array(String)} (empty: any); {source:String} ('kafka', 'bullmq' or '' for both);
--   {topic:String} DLQ topic, origin topic or queue ('' for any); {q:String} key, order id or error text ('' for any);
--   {from:DateTime64(3)} inclusive, {to:DateTime64(3)} exclusive (failed_at); {limit:UInt32}
SELECT id, source, topic, partition, offset, key, order_id, event_type, error_class, error_message, origin_topic,
       origin_partition, origin_offset, group, attempts, first_failed_at, failed_at, payload, headers, redrive_state,
       redriven_at, tapped_at, version
FROM dead_letters FINAL
WHERE (empty({ids:Array(String)}) OR has({ids:Array(String)}, id))
  AND ({source:String} = '' OR source = {source:String})
  AND ({topic:String} = '' OR topic = {topic:String} OR origin_topic = {topic:String})
  AND ({q:String} = '' OR key = {q:String} OR order_id = {q:String}
       OR positionCaseInsensitive(error_message, {q:String}) > 0 OR positionCaseInsensitive(error_class, {q:String}) > 0)
  AND failed_at >= {from:DateTime64(3)} AND failed_at < {to:DateTime64(3)}
ORDER BY failed_at, id
LIMIT {limit:UInt32}
