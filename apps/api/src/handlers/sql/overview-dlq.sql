-- Overview: dead letters waiting (not redriven) per dead-letter topic. Parameters: {topics:Array(String)}
SELECT topic, count() AS n
FROM dead_letters FINAL
WHERE has({topics:Array(String)}, topic) AND redrive_state != 'redriven'
GROUP BY topic
