// Switchyard posting to a real Alertmanager (Debian's prometheus-alertmanager, on loopback): a rule that fires is
// posted to /api/v2/alerts through the delivery queue, Alertmanager holds it with Switchyard's labels and sends it
// on to its own webhook receiver; the resolution ends it there too.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import type { Store } from '@switchyard/store/types';
import { manualClock } from '@switchyard/telemetry/clock';
import { Evaluator } from './evaluator';
import { parseNotifyConfig } from './notify/config';
import { NotificationQueue, startDeliveryWorker } from './notify/delivery';
import type { WebhookPayload } from './notify/payload';
import { deletePrefix, eventually, inlineRules, openTestStore, quietLogger, startReceiver, testRedis, type TestReceiver } from './testkit';

const BINARY = ['/usr/bin/prometheus-alertmanager', '/usr/bin/alertmanager', '/usr/local/bin/alertmanager'].find((p) => existsSync(p));

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

interface Am {
  url: string;
  proc: ChildProcess;
  dir: string;
  log: string[];
}

async function startAlertmanager(webhookUrl: string): Promise<Am> {
  const dir = mkdtempSync(join(tmpdir(), 'sy-am-'));
  // Alertmanager's own grouping is fast here so the test does not wait out its defaults (30 s group_wait).
  writeFileSync(
    join(dir, 'alertmanager.yml'),
    [
      'route:',
      '  receiver: hook',
      "  group_by: ['alertname']",
      '  group_wait: 1s',
      '  group_interval: 1s',
      '  repeat_interval: 1h',
      'receivers:',
      '  - name: hook',
      '    webhook_configs:',
      `      - url: ${webhookUrl}`,
      '        send_resolved: true',
      '',
    ].join('\n'),
  );
  const port = await freePort();
  const log: string[] = [];
  const proc = spawn(
    BINARY!,
    [`--config.file=${join(dir, 'alertmanager.yml')}`, `--storage.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address=', '--log.level=warn'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  proc.stdout?.on('data', (b: Buffer) => log.push(b.toString()));
  proc.stderr?.on('data', (b: Buffer) => log.push(b.toString()));
  const url = `http://127.0.0.1:${port}`;
  await eventually(async () => ((await fetch(`${url}/-/ready`).catch(() => null))?.ok ? true : undefined), 20_000).catch((err: unknown) => {
    proc.kill('SIGKILL');
    throw new Error(`alertmanager did not become ready: ${log.join('')}`, { cause: err });
  });
  return { url, proc, dir, log };
}

interface AmAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  status: { state: string };
  endsAt: string;
}

describe.skipIf(!BINARY)('a real Alertmanager as receiver', () => {
  let store: Store;
  let dispose: () => Promise<void>;
  let redis: Redis;
  let hook: TestReceiver;
  let am: Am;

  beforeAll(async () => {
    ({ store, dispose } = await openTestStore());
    redis = testRedis();
    hook = await startReceiver();
    am = await startAlertmanager(`${hook.url}/am-hook`);
  }, 60_000);

  afterAll(async () => {
    am?.proc.kill('SIGTERM');
    await hook?.close();
    await dispose?.();
    redis?.disconnect();
    if (am) rmSync(am.dir, { recursive: true, force: true });
  });

  it('gets the firing alert with Switchyard labels, forwards it, and ends it on resolution', async () => {
    const prefix = `t-${randomUUID()}:`;
    // Two minutes behind real time: the resolution's endsAt (a minute later) is already past for Alertmanager.
    const clock = manualClock(Date.now() - 120_000);
    const group = `payments-${randomUUID().slice(0, 8)}`;
    const config = parseNotifyConfig('test-receivers.yaml', {
      receivers: [{ name: 'am', kind: 'alertmanager', url: am.url }],
      defaults: { group_wait: '0s', group_interval: '1s', repeat_interval: '1h' },
      routes: [{ receiver: 'am' }],
    });
    const [rule] = inlineRules([
      {
        name: 'SwitchyardLagTest',
        sql: `SELECT group, topic, max(lag_seconds) AS value FROM consumer_lag
              WHERE group = '${group}' AND ts > {now:DateTime64(3, 'UTC')} - INTERVAL 1 MINUTE AND ts <= {now:DateTime64(3, 'UTC')}
              GROUP BY group, topic HAVING value > 10`,
        severity: 'critical',
        annotations: { summary: 'lag on {{ $labels.topic }}' },
      },
    ]);
    const queue = new NotificationQueue({ connection: redis, prefix: `${prefix}bull`, attempts: 10, backoffMs: 100 });
    const worker = startDeliveryWorker({ connection: redis, prefix: `${prefix}bull`, receivers: config.receivers, clock, logger: quietLogger });
    const ev = new Evaluator({ store, redis, rules: [rule!], clock, logger: quietLogger, notify: { config, sink: queue }, redisPrefix: prefix });
    const amAlerts = async (): Promise<AmAlert[]> => ((await (await fetch(`${am.url}/api/v2/alerts?filter=alertname%3D%22SwitchyardLagTest%22`)).json()) as AmAlert[]).filter((a) => a.labels.group === group);
    try {
      const lag = async (seconds: number): Promise<void> => {
        const r = await store.insert('consumer_lag', [{ ts: new Date(clock.now()), group, topic: 'orders', partition: 0, committed: 10, log_end: 20, low: 0, lag_messages: 10, lag_seconds: seconds }]);
        expect(r.ok).toBe(true);
      };
      await lag(120);
      const first = await ev.tick();
      expect(first.transitions.map((t) => t.state)).toEqual(['firing']);

      // Alertmanager holds it, active, with the labels and annotations Switchyard gave it.
      const active = await eventually(async () => (await amAlerts()).find((a) => a.status.state === 'active'), 20_000);
      expect(active.labels).toMatchObject({ alertname: 'SwitchyardLagTest', severity: 'critical', group, topic: 'orders' });
      expect(active.annotations.summary).toBe('lag on orders');

      // ... and routes it to its own receiver in its webhook format.
      const forwarded = await hook.waitFor(1, 20_000);
      const body = forwarded[0]!.json as WebhookPayload;
      expect(body).toMatchObject({ version: '4', status: 'firing', receiver: 'hook' });
      expect(body.alerts[0]?.labels).toMatchObject({ alertname: 'SwitchyardLagTest', group, topic: 'orders' });

      // Resolution: Switchyard posts an endsAt; Alertmanager stops listing it as active and sends the resolution.
      clock.advance(61_000);
      await lag(3);
      const second = await ev.tick();
      expect(second.transitions.map((t) => t.state)).toEqual(['resolved']);
      await eventually(async () => ((await amAlerts()).some((a) => a.status.state === 'active') ? undefined : true), 20_000);
      const resolved = await eventually(async () => hook.requests.map((r) => r.json as WebhookPayload).find((p) => p.status === 'resolved'), 20_000);
      expect(resolved.alerts[0]?.labels.group).toBe(group);
    } catch (err) {
      throw new Error(`${(err as Error).message}\nalertmanager log:\n${am.log.join('')}`, { cause: err });
    } finally {
      await ev.stop();
      await worker.close();
      await queue.close();
      await deletePrefix(redis, prefix);
    }
  }, 90_000);
});
