-- The trace ids holding spans of one order (several when a hop lost its trace context), oldest first.
-- Parameters: {order_id:String}; {limit:UInt32} a bound on the traces of one order.
SELECT trace_id, min(start) AS first_start
FROM spans
WHERE order_id = {order_id:String}
GROUP BY trace_id
ORDER BY first_start
LIMIT {limit:UInt32}
