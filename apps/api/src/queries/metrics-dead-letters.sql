-- /metrics switchyard_dead_letters{topic}: dead letters per dead-letter topic (or failed-job queue) not yet
-- redriven. FINAL: the newest redrive state of each entry.
SELECT topic, count() AS n
FROM dead_letters FINAL
WHERE redrive_state NOT IN ('redriven', 'done')
GROUP BY topic
