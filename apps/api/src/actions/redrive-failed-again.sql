-- Redrive: entries of a redrive that failed again. A Kafka message that fails after its redrive is a new dead letter
-- (new offset, same event id, failed after the redrive started); a BullMQ job is the same entry, marked
-- failed-again by collectors/dlq. Parameters: {id:String} the redrive id; {since:DateTime64(3)} its start; {limit:UInt32}
SELECT id, headers['sy-event-id'] AS event_id
FROM dead_letters FINAL
WHERE failed_at >= {since:DateTime64(3)}
  AND (
        (source = 'kafka'
         AND headers['sy-event-id'] IN (SELECT event_id FROM redrive_items WHERE redrive_id = {id:String} AND state = 'redriven' AND event_id != '')
         AND id NOT IN (SELECT entry_id FROM redrive_items WHERE redrive_id = {id:String}))
     OR (source = 'bullmq' AND redrive_state = 'failed-again'
         AND id IN (SELECT entry_id FROM redrive_items WHERE redrive_id = {id:String} AND state = 'redriven'))
      )
ORDER BY failed_at
LIMIT {limit:UInt32}
