-- A bloom-filter skip index on spans.causation_id. Every order trace read (collectors/traces
-- trace-ids-by-causation.sql) looks for spans whose causation id is one of the trace's event ids, to stitch in
-- traces that lost their context at a hop; without an index that read scans the causation ids of every span
-- stored. Same shape as the order_id and event_id indexes. MATERIALIZE builds it for the rows already stored (in
-- the background on a server: a mutation).
ALTER TABLE spans ADD INDEX IF NOT EXISTS idx_causation_id causation_id TYPE bloom_filter(0.01) GRANULARITY 4;
ALTER TABLE spans MATERIALIZE INDEX idx_causation_id;
