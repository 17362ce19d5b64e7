-- /metrics switchyard_inference_drift_psi: the model versions with predictions since `since`; metrics/source.ts
-- then computes each feature's PSI with collectors/inference's drift queries. Parameters: since (DateTime64 UTC).
SELECT DISTINCT model, model_version
FROM inference
WHERE ts >= {since:DateTime64(3, 'UTC')}
