-- /metrics switchyard_cost_per_order_usd: mean cost of the orders the cost collector priced since `since`.
-- Reads collectors/cost's `order_costs` (order_id, ts, cost_usd); a missing table leaves the gauge out.
SELECT avg(cost_usd) AS usd, count() AS orders
FROM order_costs FINAL
WHERE ts >= {since:DateTime64(3, 'UTC')}
