-- /metrics switchyard_cost_per_order_usd: mean cost per order since `since`, i.e. collectors/cost's
-- `costSummary(...).costPerOrder` over [since, now): the usage of the window (messages and bytes by produce time,
-- BullMQ job runs by first event, consumer span time by start, predictions by time) priced, divided by the orders
-- created in the window (OrderCreated originals). The cost collector stores no table of its own: it prices what
-- the other collectors stored (events, queue_job_events, spans, inference), as this query does.
-- The prices are collectors/cost DEFAULT_COST_MODEL's (cost-model.ts); metrics-cost.test.ts fails when they drift.
-- `usd` is NULL without orders (the gauge is then left out). Parameters: {since:DateTime64(3, 'UTC')}.
WITH
    0.0000004 AS per_message,
    0.00009 AS per_mb_transferred,
    0.1 AS per_gb_month,
    1 AS storage_months,
    0.0000002 AS per_job,
    0.0000166667 AS per_compute_second,
    0.00001 AS per_inference,
    m AS
    (
        SELECT
            count() AS messages,
            sum(bytes) AS bytes,
            countIf(type = 'OrderCreated' AND NOT is_retry AND NOT is_dlq AND replay_id = '' AND redrive_id = '') AS orders
        FROM events FINAL
        WHERE produced_at >= {since:DateTime64(3, 'UTC')}
    ),
    j AS
    (
        SELECT count() AS jobs, sum(retries) AS job_retries
        FROM
        (
            SELECT greatest(toInt64(max(attempts)) - 1, 0) AS retries
            FROM queue_job_events
            WHERE ts >= {since:DateTime64(3, 'UTC')}
            GROUP BY queue, job_id
        )
    ),
    c AS (SELECT sum(duration_ms) / 1000 AS compute_s FROM spans FINAL WHERE kind = 'consumer' AND start >= {since:DateTime64(3, 'UTC')}),
    i AS (SELECT count() AS inferences FROM inference FINAL WHERE ts >= {since:DateTime64(3, 'UTC')})
SELECT
    if(m.orders = 0, NULL,
       (m.messages * per_message
        + m.bytes / 1e6 * per_mb_transferred
        + m.bytes / 1e9 * per_gb_month * storage_months
        + (j.jobs + j.job_retries) * per_job
        + c.compute_s * per_compute_second
        + i.inferences * per_inference) / m.orders) AS usd,
    m.orders AS orders
FROM m CROSS JOIN j CROSS JOIN c CROSS JOIN i
