-- Consumer groups the lag collector has seen since {since:DateTime64(3)} (the broker may not list groups).
-- Parameters: {since:DateTime64(3)}, {limit:UInt32}
SELECT DISTINCT group FROM consumer_group_status WHERE ts >= {since:DateTime64(3)} ORDER BY group LIMIT {limit:UInt32}
