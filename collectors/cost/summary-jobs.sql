-- BullMQ jobs per time bucket (by the job's first event in [from, to)): jobs, retries (max attempts - 1), failed.
-- Parameters: {from:DateTime64(3)}, {to:DateTime64(3)}, {bucket:UInt32} seconds.
SELECT
    toStartOfInterval(first_ts, toIntervalSecond({bucket:UInt32})) AS bucket,
    count() AS jobs,
    sum(retries) AS job_retries,
    countIf(dead) AS failed_jobs
FROM
(
    SELECT queue, job_id, min(ts) AS first_ts, greatest(toInt64(max(attempts)) - 1, 0) AS retries, countIf(event = 'failed') > 0 AS dead
    FROM queue_job_events
    WHERE ts >= {from:DateTime64(3)} AND ts < {to:DateTime64(3)}
    GROUP BY queue, job_id
)
GROUP BY bucket
ORDER BY bucket
