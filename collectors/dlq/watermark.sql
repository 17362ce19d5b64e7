-- The Kafka materialisation watermark: the newest tap time already copied into dead_letters (1970 when none).
-- Parameters: none.
SELECT max(tapped_at) AS watermark FROM dead_letters WHERE source = 'kafka'
