-- Replay preview: per partition, how many archived messages a selection segment matches, their bytes, and the offset
-- span the archive holds for the partition (to tell whether it covers a broker segment). Parameters as
-- archive-read.sql, without limit.
SELECT partition,
       countIf(produced_at >= {from_ts:DateTime64(3)} AND produced_at < {to_ts:DateTime64(3)}
               AND ({order_id:String} = '' OR order_id = {order_id:String})
               AND ({trace_id:String} = '' OR trace_id = {trace_id:String})
               AND ({event_type:String} = '' OR type = {event_type:String})) AS n,
       sumIf(bytes, produced_at >= {from_ts:DateTime64(3)} AND produced_at < {to_ts:DateTime64(3)}
               AND ({order_id:String} = '' OR order_id = {order_id:String})
               AND ({trace_id:String} = '' OR trace_id = {trace_id:String})
               AND ({event_type:String} = '' OR type = {event_type:String})) AS bytes,
       count() AS stored,
       min(offset) AS min_offset,
       max(offset) AS max_offset
FROM events FINAL
WHERE topic = {topic:String}
  AND ({partition:Int32} < 0 OR partition = {partition:Int32})
  AND offset >= {from_offset:UInt64} AND offset < {to_offset:UInt64}
GROUP BY partition
