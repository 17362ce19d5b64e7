-- Traces that continue the given events after a hop lost its context: spans whose causation id is one of the
-- event ids already in the trace. Parameters: {event_ids:Array(String)}; {known:Array(String)} trace ids already
-- held (left out); {limit:UInt32}.
SELECT DISTINCT trace_id
FROM spans
WHERE causation_id IN {event_ids:Array(String)} AND trace_id NOT IN {known:Array(String)}
LIMIT {limit:UInt32}
