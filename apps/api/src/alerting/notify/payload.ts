/**
 * Notification bodies: Alertmanager's webhook format version 4 (so receivers written for Alertmanager work
 * unchanged), and Alertmanager's own `POST /api/v2/alerts` array for the `alertmanager` receiver kind.
 */
import type { Labels } from '../labels';

/** An alert as a notification carries it. Times are epoch ms; `endsAt` is null while firing. */
export interface NotifyAlert {
  fingerprint: string;
  status: 'firing' | 'resolved';
  labels: Labels;
  annotations: Labels;
  startsAt: number;
  endsAt: number | null;
  generatorURL: string;
}

/** Alertmanager's webhook payload, version 4. */
export interface WebhookPayload {
  version: '4';
  groupKey: string;
  truncatedAlerts: number;
  status: 'firing' | 'resolved';
  receiver: string;
  groupLabels: Labels;
  commonLabels: Labels;
  commonAnnotations: Labels;
  externalURL: string;
  alerts: { status: 'firing' | 'resolved'; labels: Labels; annotations: Labels; startsAt: string; endsAt: string; generatorURL: string; fingerprint: string }[];
}

/** The zero time Alertmanager writes as `endsAt` of a firing alert. */
export const ZERO_TIME = '0001-01-01T00:00:00Z';

function common(sets: Labels[]): Labels {
  const [first, ...rest] = sets;
  if (!first) return {};
  const out: Labels = {};
  for (const [k, v] of Object.entries(first)) if (rest.every((s) => s[k] === v)) out[k] = v;
  return out;
}

/** Builds the version 4 webhook payload of one group's notification. `maxAlerts` 0 means no truncation. */
export function webhookPayload(input: { receiver: string; groupKey: string; groupLabels: Labels; externalURL: string; alerts: NotifyAlert[]; maxAlerts?: number }): WebhookPayload {
  const max = input.maxAlerts ?? 0;
  const kept = max > 0 ? input.alerts.slice(0, max) : input.alerts;
  return {
    version: '4',
    groupKey: input.groupKey,
    truncatedAlerts: input.alerts.length - kept.length,
    status: input.alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
    receiver: input.receiver,
    groupLabels: input.groupLabels,
    commonLabels: common(input.alerts.map((a) => a.labels)),
    commonAnnotations: common(input.alerts.map((a) => a.annotations)),
    externalURL: input.externalURL,
    alerts: kept.map((a) => ({
      status: a.status,
      labels: a.labels,
      annotations: a.annotations,
      startsAt: new Date(a.startsAt).toISOString(),
      endsAt: a.endsAt === null ? ZERO_TIME : new Date(a.endsAt).toISOString(),
      generatorURL: a.generatorURL,
      fingerprint: a.fingerprint,
    })),
  };
}

/** One element of Alertmanager's `POST /api/v2/alerts` body (postableAlert). */
export interface PostableAlert {
  labels: Labels;
  annotations: Labels;
  startsAt: string;
  endsAt?: string;
  generatorURL: string;
}

/** Alertmanager's `/api/v2/alerts` body: a firing alert has no endsAt (Alertmanager applies its resolve_timeout). */
export function alertmanagerPayload(alerts: NotifyAlert[]): PostableAlert[] {
  return alerts.map((a) => ({
    labels: a.labels,
    annotations: a.annotations,
    startsAt: new Date(a.startsAt).toISOString(),
    ...(a.endsAt !== null ? { endsAt: new Date(a.endsAt).toISOString() } : {}),
    generatorURL: a.generatorURL,
  }));
}
