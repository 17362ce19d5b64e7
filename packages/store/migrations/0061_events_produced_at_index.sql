-- A minmax skip index on events.produced_at. The console's time-window reads (overview rates and delivery times,
-- the cost summary) filter on produce time, but the table is sorted by (topic, partition, offset), so the primary
-- key cannot narrow them and the day partitions only narrow them to whole days. Within one topic partition offsets
-- grow with produce time, so each granule spans a narrow time range and the index skips all but the granules of
-- the window (e.g. the overview's last minute). It only helps reads without FINAL: FINAL widens the pick to every
-- granule whose key range overlaps a picked one, which is most of the table; those reads dedupe by GROUP BY on the
-- key instead. MATERIALIZE builds it for the rows already stored (in the background on a server: a mutation).
ALTER TABLE events ADD INDEX IF NOT EXISTS idx_produced_at produced_at TYPE minmax GRANULARITY 1;
ALTER TABLE events MATERIALIZE INDEX idx_produced_at;
