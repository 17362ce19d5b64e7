-- Dead-letter search for the DLQ browser, newest failure first, keyset-paginated on (failed_at, id).
-- Parameters:
--   {topic:String}           the DLQ topic, its origin topic, or a BullMQ queue name; '' for all
--   {q:String}               exact key or order id, or text found in the error message or class; '' for all
--   {from:DateTime64(3)}     failed_at lower bound (inclusive)
--   {to:DateTime64(3)}       failed_at upper bound (exclusive)
--   {cursor_ts:DateTime64(3)}, {cursor_id:String}   the last row of the previous page; cursor_id '' for the first page
--   {limit:UInt32}           page size
SELECT id, source, topic, partition, offset, key, order_id, event_type, error_class, error_message, origin_topic,
       origin_partition, origin_offset, group, attempts, first_failed_at, failed_at, payload, headers, redrive_state,
       redriven_at
FROM dead_letters FINAL
WHERE ({topic:String} = '' OR topic = {topic:String} OR origin_topic = {topic:String})
  AND ({q:String} = '' OR key = {q:String} OR order_id = {q:String}
       OR positionCaseInsensitive(error_message, {q:String}) > 0 OR positionCaseInsensitive(error_class, {q:String}) > 0)
  AND failed_at >= {from:DateTime64(3)} AND failed_at < {to:DateTime64(3)}
  AND ({cursor_id:String} = '' OR (failed_at, id) < ({cursor_ts:DateTime64(3)}, {cursor_id:String}))
ORDER BY failed_at DESC, id DESC
LIMIT {limit:UInt32}
