-- GET /api/v1/queues, /metrics and SSE: the latest count of each state of each queue, for one page of queues.
-- Parameters: since (DateTime64 UTC), after (cursor: queues named after it, '' from the start), limit (queues).
SELECT queue, state, argMax(count, ts) AS count, toUnixTimestamp64Milli(max(ts)) AS updated_ms
FROM queue_depth
WHERE ts >= {since:DateTime64(3, 'UTC')}
  AND queue IN (
      SELECT DISTINCT queue FROM queue_depth
      WHERE ts >= {since:DateTime64(3, 'UTC')} AND queue > {after:String}
      ORDER BY queue LIMIT {limit:UInt32}
  )
GROUP BY queue, state
ORDER BY queue, state
