-- Replay: the archived messages of one selection segment, in partition and offset order (payload and headers as the
-- tap stored them). Parameters:
--   {topic:String}; {partition:Int32} (-1: any); {from_offset:UInt64} inclusive, {to_offset:UInt64} exclusive;
--   {from_ts:DateTime64(3)} inclusive, {to_ts:DateTime64(3)} exclusive (produce time);
--   {order_id:String}, {trace_id:String}, {event_type:String} ('' for any); {limit:UInt32}
SELECT partition, offset, key, headers, payload, bytes
FROM events FINAL
WHERE topic = {topic:String}
  AND ({partition:Int32} < 0 OR partition = {partition:Int32})
  AND offset >= {from_offset:UInt64} AND offset < {to_offset:UInt64}
  AND produced_at >= {from_ts:DateTime64(3)} AND produced_at < {to_ts:DateTime64(3)}
  AND ({order_id:String} = '' OR order_id = {order_id:String})
  AND ({trace_id:String} = '' OR trace_id = {trace_id:String})
  AND ({event_type:String} = '' OR type = {event_type:String})
ORDER BY partition, offset
LIMIT {limit:UInt32}
