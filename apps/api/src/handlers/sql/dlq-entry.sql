-- One dead letter by id, with payload and headers (GET /api/v1/dlq/{id}). Parameters: {id:String}
SELECT id, source, topic, partition, offset, key, order_id, event_type, error_class, error_message, origin_topic,
       origin_partition, origin_offset, group, attempts, first_failed_at, failed_at, payload, headers, redrive_state,
       redriven_at
FROM dead_letters FINAL
WHERE id = {id:String}
LIMIT 1
