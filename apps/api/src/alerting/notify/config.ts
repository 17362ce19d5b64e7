/**
 * Notification configuration: `alerts/receivers.yaml`. Receivers (`webhook`: Alertmanager's webhook format version 4,
 * signed; `alertmanager`: a real Alertmanager's `/api/v2/alerts`) and routes (matchers → receiver, with grouping and
 * timing). Routes are tried in order; the first that matches takes the alert, and `continue: true` lets the next
 * ones see it too (as in Alertmanager). An alert no route matches is not sent anywhere (a catch-all route last
 * avoids that).
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { RuleFileError, type FileProblem } from '../errors';
import { matchesAll, parseMatcher, type Labels, type Matcher } from '../labels';
import { durationSchema } from '../rules';

const matcherSchema = z.string().transform((s, ctx) => {
  try {
    return parseMatcher(s);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
    return z.NEVER;
  }
});

const receiverSchema = z.strictObject({
  name: z.string().min(1),
  /** `webhook` (default) or `alertmanager`. */
  kind: z.enum(['webhook', 'alertmanager']).default('webhook'),
  /** Webhook URL, or the Alertmanager base URL (`/api/v2/alerts` is appended). */
  url: z.url().optional(),
  /** Name of an environment variable holding the URL; when it is unset the receiver and its routes are disabled. */
  url_env: z.string().optional(),
  /** HMAC-SHA256 secret for `X-Switchyard-Signature` (default none: unsigned). */
  secret: z.string().optional(),
  /** Name of an environment variable holding the secret (resolved at load; unset: unsigned). */
  secret_env: z.string().optional(),
  /** HTTP timeout of one delivery attempt (default 10s). */
  timeout: durationSchema.default(10_000),
  /** At most this many alerts per notification; the rest are counted in `truncatedAlerts` (default 0: all). */
  max_alerts: z.number().int().min(0).default(0),
  /** Extra request headers (default none). */
  headers: z.record(z.string(), z.string()).default({}),
});

const timing = {
  /** Labels that split alerts into notification groups (default [alertname]); `[...]` groups by every label. */
  group_by: z.array(z.string()).optional(),
  /** Wait before the first notification of a new group, to gather its alerts (default 10s). */
  group_wait: durationSchema.optional(),
  /** Wait before notifying a group again about new or changed alerts (default 5m). */
  group_interval: durationSchema.optional(),
  /** Re-send a group whose firing alerts have not changed after this long (default 4h). */
  repeat_interval: durationSchema.optional(),
};

const routeSchema = z.strictObject({
  matchers: z.array(matcherSchema).default([]),
  receiver: z.string().min(1),
  continue: z.boolean().default(false),
  ...timing,
});

const fileSchema = z.strictObject({
  /** Base URL of the Switchyard console, for `externalURL` and links (default ''). */
  external_url: z.string().default(''),
  defaults: z.strictObject(timing).default({}),
  receivers: z.array(receiverSchema).min(1),
  routes: z.array(routeSchema).min(1),
});

/** A receiver, with its URL and secret resolved. */
export type Receiver = Omit<z.output<typeof receiverSchema>, 'secret_env' | 'url_env' | 'url'> & { url: string };

/** A route with every timing resolved. */
export interface Route {
  index: number;
  matchers: Matcher[];
  receiver: string;
  continue: boolean;
  groupBy: string[];
  groupWaitMs: number;
  groupIntervalMs: number;
  repeatIntervalMs: number;
}

/** The notification configuration. */
export interface NotifyConfig {
  externalURL: string;
  receivers: Map<string, Receiver>;
  routes: Route[];
  /** Receivers left out because their `url_env` is unset (their routes are dropped too). */
  disabled: string[];
}

/** Defaults of the timing fields, as in Alertmanager. */
export const ROUTE_DEFAULTS = { groupBy: ['alertname'], groupWaitMs: 10_000, groupIntervalMs: 300_000, repeatIntervalMs: 4 * 3_600_000 };

/** Validates a parsed receivers file. Throws {@link RuleFileError} naming the file, the receiver or route, and the field. */
export function parseNotifyConfig(file: string, doc: unknown, env: Record<string, string | undefined> = {}): NotifyConfig {
  const r = fileSchema.safeParse(doc);
  const problems: FileProblem[] = [];
  if (!r.success) {
    for (const i of r.error.issues) {
      const [section, idx, ...rest] = i.path.map(String);
      const name = section && idx !== undefined ? `${section}[${idx}]` : '(file)';
      problems.push({ file, rule: name, field: (section && idx !== undefined ? rest : i.path.map(String)).join('.') || '(entry)', message: i.message });
    }
    throw new RuleFileError(problems);
  }
  const d = r.data;
  const receivers = new Map<string, Receiver>();
  const disabled: string[] = [];
  d.receivers.forEach((rc, i) => {
    if (receivers.has(rc.name) || disabled.includes(rc.name)) problems.push({ file, rule: `receivers[${i}]`, field: 'name', message: `duplicate receiver "${rc.name}"` });
    if ((rc.url === undefined) === (rc.url_env === undefined)) problems.push({ file, rule: `receivers[${i}]`, field: 'url', message: 'give exactly one of url and url_env' });
    const url = rc.url ?? (rc.url_env ? env[rc.url_env] : undefined);
    if (!url) {
      if (rc.url_env) disabled.push(rc.name);
      return;
    }
    if (!URL.canParse(url)) problems.push({ file, rule: `receivers[${i}]`, field: 'url_env', message: `${rc.url_env} is not a URL` });
    const secret = rc.secret_env ? env[rc.secret_env] || undefined : rc.secret;
    const { secret_env: _s, url_env: _u, ...rest } = rc;
    receivers.set(rc.name, { ...rest, url, secret });
  });
  const routes = d.routes.flatMap((rt, i): Route[] => {
    if (disabled.includes(rt.receiver)) return [];
    if (!receivers.has(rt.receiver)) problems.push({ file, rule: `routes[${i}]`, field: 'receiver', message: `no receiver named "${rt.receiver}"` });
    return [{
      index: i,
      matchers: rt.matchers,
      receiver: rt.receiver,
      continue: rt.continue,
      groupBy: rt.group_by ?? d.defaults.group_by ?? ROUTE_DEFAULTS.groupBy,
      groupWaitMs: rt.group_wait ?? d.defaults.group_wait ?? ROUTE_DEFAULTS.groupWaitMs,
      groupIntervalMs: rt.group_interval ?? d.defaults.group_interval ?? ROUTE_DEFAULTS.groupIntervalMs,
      repeatIntervalMs: rt.repeat_interval ?? d.defaults.repeat_interval ?? ROUTE_DEFAULTS.repeatIntervalMs,
    }];
  });
  if (problems.length > 0) throw new RuleFileError(problems);
  return { externalURL: d.external_url.replace(/\/$/, ''), receivers, routes, disabled };
}

/** Reads and validates `alerts/receivers.yaml` (or another path). */
export function loadNotifyConfig(path: string, env: Record<string, string | undefined> = {}): NotifyConfig {
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new RuleFileError([{ file: path, rule: '(file)', field: '(file)', message: (err as Error).message.split('\n')[0] ?? 'unreadable' }]);
  }
  return parseNotifyConfig(path, doc, env);
}

/** The routes an alert goes to: the first match, then further matches while `continue` is set. */
export function routesFor(config: NotifyConfig, labels: Labels): Route[] {
  const out: Route[] = [];
  for (const r of config.routes) {
    if (!matchesAll(r.matchers, labels)) continue;
    out.push(r);
    if (!r.continue) break;
  }
  return out;
}
