/**
 * EtaPredicted, on the `eta` topic: one prediction of the ETA model, with what the inference collector needs to
 * judge it (model, version, features, latency).
 *
 * v1 predicted whole seconds (`etaSeconds`) and named the model as `name@version` in one string; v2 predicts
 * minutes and splits `model` and `modelVersion`. The upgrade is lossless.
 */
import { z } from 'zod';
import { TOPICS } from '../topics';
import { LatencyMs, ModelVersion, Slug } from './common';
import { defineEvent, upgradeStep } from './define';

/** Weather at the pickup, as the ETA model knows it. */
export const Weather = z.enum(['clear', 'cloudy', 'rain', 'snow', 'fog', 'storm']);

/** The ETA model's input. */
export const EtaFeatures = z.strictObject({
  /** Road distance from the kitchen to the customer. */
  distanceKm: z.number().nonnegative().max(500),
  /** Expected preparation time. */
  prepMinutes: z.number().nonnegative().max(600),
  /** Local hour of day, 0-23. */
  hour: z.number().int().min(0).max(23),
  weather: Weather,
  /** Idle drivers near the kitchen. */
  driverSupply: z.number().nonnegative().max(10_000),
});

/** EtaPredicted v2 (current). */
export const EtaPredictedV2 = z.strictObject({
  /** Predicted minutes from order creation to delivery. */
  etaMinutes: z.number().nonnegative().max(1_440),
  model: Slug,
  modelVersion: ModelVersion,
  features: EtaFeatures,
  latencyMs: LatencyMs,
});

/** EtaPredicted v1: seconds, and `model` as `name@version`. */
export const EtaPredictedV1 = z.strictObject({
  etaSeconds: z.number().int().nonnegative().max(86_400),
  model: z
    .string()
    .max(97)
    .regex(/^[a-z][a-z0-9_.-]{0,63}@[A-Za-z0-9][A-Za-z0-9_.+-]{0,31}$/, 'expected name@version, e.g. eta-gbm@3'),
  features: EtaFeatures,
  latencyMs: LatencyMs,
});

/** EtaPredicted, on the `eta` topic. */
export const EtaPredicted = defineEvent({
  topic: TOPICS.eta,
  current: 2,
  schema: EtaPredictedV2,
  older: {
    1: {
      schema: EtaPredictedV1,
      upgrade: upgradeStep(EtaPredictedV1, EtaPredictedV2, ({ etaSeconds, model, ...rest }) => {
        const at = model.indexOf('@');
        return {
          ...rest,
          etaMinutes: Math.round(etaSeconds / 6) / 10,
          model: model.slice(0, at),
          modelVersion: model.slice(at + 1),
        };
      }),
    },
  },
});
