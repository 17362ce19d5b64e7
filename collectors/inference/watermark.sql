-- The newest tap time already materialised into `inference` (1970 when empty). No parameters.
SELECT max(tapped_at) AS watermark, count() AS rows FROM inference
