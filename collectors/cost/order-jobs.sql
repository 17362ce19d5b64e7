-- BullMQ jobs of one order, from `queue_job_events`. `attempts` is the job's attemptsMade when it completed or
-- failed, so a job's retries are max(attempts) - 1; a job with a `failed` event ended in the failed set (the
-- queue's dead-letter list). Parameters: {order_id:String}.
SELECT
    count() AS jobs,
    sum(retries) AS job_retries,
    countIf(dead) AS failed_jobs
FROM
(
    SELECT queue, job_id, greatest(toInt64(max(attempts)) - 1, 0) AS retries, countIf(event = 'failed') > 0 AS dead
    FROM queue_job_events
    WHERE order_id = {order_id:String}
    GROUP BY queue, job_id
)
