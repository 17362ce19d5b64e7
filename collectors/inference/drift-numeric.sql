-- Histogram of one numeric feature of one model version over [from, to), in the bins of its training reference:
-- bin i holds values in (edges[i-1], edges[i]] (packages/ml psi.ts `binIndex`), so the bin is the number of edges
-- below the value. Rows without the feature are left out.
-- Parameters: {model:String}, {version:String}, {feature:String}, {edges:Array(Float64)}, {from:DateTime64(3)},
-- {to:DateTime64(3)}.
SELECT arrayCount(e -> e < v, {edges:Array(Float64)}) AS bin, count() AS n
FROM
(
    SELECT features[{feature:String}] AS v
    FROM inference FINAL
    WHERE model = {model:String} AND model_version = {version:String}
      AND ts >= {from:DateTime64(3)} AND ts < {to:DateTime64(3)}
      AND mapContains(features, {feature:String}) AND isFinite(v)
)
GROUP BY bin
ORDER BY bin
