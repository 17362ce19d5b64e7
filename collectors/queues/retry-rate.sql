-- Retry rate per BullMQ queue over a time window: retries / (completions + final failures).
-- A retry is a `retried` row of queue_job_events (a job sent back to waiting or delayed after a failed attempt).
-- Parameters:
--   {from:DateTime64(3)}      window start (inclusive)
--   {to:DateTime64(3)}        window end (exclusive)
--   {queues:Array(String)}    queues to report; an empty array reports every queue with activity in the window
SELECT
    queue,
    countIf(event = 'retried') AS retries,
    countIf(event IN ('completed', 'failed')) AS finished,
    if(finished = 0, 0, retries / finished) AS retry_rate
FROM queue_job_events
WHERE ts >= {from:DateTime64(3)} AND ts < {to:DateTime64(3)}
  AND (empty({queues:Array(String)}) OR has({queues:Array(String)}, queue))
GROUP BY queue
ORDER BY queue
