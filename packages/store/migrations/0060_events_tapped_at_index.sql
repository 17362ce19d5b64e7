-- A minmax skip index on events.tapped_at. The /metrics counters (switchyard_retries_total, the
-- order-to-delivery histogram) read only the rows tapped since their previous scrape; tapped_at rises with
-- insertion, so each granule's min/max is narrow and the index skips all but the newest granules instead of
-- scanning the whole table on every scrape. MATERIALIZE builds it for the rows already stored (in the background
-- on a server: a mutation).
ALTER TABLE events ADD INDEX IF NOT EXISTS idx_tapped_at tapped_at TYPE minmax GRANULARITY 1;
ALTER TABLE events MATERIALIZE INDEX idx_tapped_at;
