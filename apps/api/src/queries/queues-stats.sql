-- GET /api/v1/queues: wait and processing time percentiles and the retry rate of finished jobs since `since`.
-- Retry rate: the share of completed or failed jobs that took more than one attempt.
-- Parameters: queues (Array(String)), since (DateTime64 UTC).
SELECT queue,
       quantile(0.5)(wait_ms) AS wait_p50,
       quantile(0.95)(wait_ms) AS wait_p95,
       quantile(0.5)(processing_ms) AS proc_p50,
       quantile(0.95)(processing_ms) AS proc_p95,
       countIf(attempts > 1) / count() AS retry_rate
FROM queue_job_events
WHERE queue IN {queues:Array(String)} AND event IN ('completed', 'failed') AND ts >= {since:DateTime64(3, 'UTC')}
GROUP BY queue
