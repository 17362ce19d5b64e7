/**
 * /healthz: every check runs at once, each bounded by a timeout, and the answer names what is down.
 */
import type { Hono } from 'hono';
import type { PartHealth } from './parts';

/** A health check; infrastructure checks add fields such as `brokers` or `mode` beside `state`. */
export type HealthCheck = () => Promise<PartHealth>;

/** A health answer with extra fields (infrastructure: brokers, mode, url, ...). */
export type DetailedHealth = PartHealth & Record<string, unknown>;

/** The body of /healthz. */
export interface HealthReport {
  status: 'ok' | 'unavailable';
  /** Names of the parts that are down (empty when ok). */
  failing: string[];
  parts: Record<string, DetailedHealth>;
}

/** Runs every check in parallel; one that throws or exceeds `timeoutMs` (default 2000) counts as down. */
export async function checkHealth(checks: Record<string, HealthCheck>, timeoutMs = 2000): Promise<HealthReport> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<PartHealth>((resolve) => {
        timer = setTimeout(() => resolve({ state: 'down', detail: `health check took longer than ${timeoutMs} ms` }), timeoutMs);
      });
      try {
        const result = await Promise.race([check(), timeout]);
        return [name, result] as const;
      } catch (err) {
        return [name, { state: 'down', detail: (err as Error).message }] as const;
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  const parts = Object.fromEntries(entries) as HealthReport['parts'];
  const failing = entries.filter(([, h]) => h.state !== 'up').map(([n]) => n);
  return { status: failing.length === 0 ? 'ok' : 'unavailable', failing, parts };
}

/** Mounts `GET /healthz`: 200 with the report when every part is up, else 503 naming the failing parts. */
export function healthRoutes(app: Hono, checks: () => Record<string, HealthCheck>, timeoutMs?: number): void {
  app.get('/healthz', async (c) => {
    const report = await checkHealth(checks(), timeoutMs);
    const body = report.status === 'ok' ? report : { ...report, detail: `down: ${report.failing.map((n) => `${n} (${report.parts[n]?.detail ?? 'down'})`).join(', ')}` };
    return c.json(body, report.status === 'ok' ? 200 : 503, { 'cache-control': 'no-store' });
  });
}
