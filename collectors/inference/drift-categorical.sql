-- Counts per value of one categorical feature of one model version over [from, to). Rows without the feature are
-- left out. Parameters: {model:String}, {version:String}, {feature:String}, {from:DateTime64(3)}, {to:DateTime64(3)}.
SELECT categorical[{feature:String}] AS value, count() AS n
FROM inference FINAL
WHERE model = {model:String} AND model_version = {version:String}
  AND ts >= {from:DateTime64(3)} AND ts < {to:DateTime64(3)}
  AND mapContains(categorical, {feature:String})
GROUP BY value
