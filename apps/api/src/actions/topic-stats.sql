-- Replay preview: whether the archive knows a topic, and the average size of its messages (to estimate bytes of a
-- selection read from the broker). Parameters: {topic:String}
SELECT count() AS n, avg(bytes) AS avg_bytes FROM events WHERE topic = {topic:String}
