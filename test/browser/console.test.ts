/**
 * The console in a real browser against the real system (launcher: pipeline, collectors, API, console). Each test
 * asserts what a person sees and keeps a screenshot in .artifacts/screenshots/. The tests share one system and
 * run in order: load runs throughout; faults are switched on and off by the tests that need them.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleOrder } from '@switchyard/contracts';
import { call, hasChromium, launchBrowser, ROOT, screenshot, signIn, sleep, startSystem, until, type System } from './harness';

const built = existsSync(join(ROOT, 'apps/console/dist/index.html'));
const skip = !hasChromium ? 'Chromium is missing (/usr/bin/chromium): apt-get install chromium' : !built ? 'the console is not built: npm run build -w @switchyard/console' : '';
if (skip) process.stderr.write(`browser tests skipped: ${skip}\n`);

/** The reference stages, as the overview marks them (`data-stage`). */
const STAGES = ['intake', 'inventory', 'payment', 'eta', 'kitchen', 'dispatch', 'tracking', 'notifier', 'loyalty'];

/** Local `YYYY-MM-DDTHH:MM:SS` for a datetime-local input (the browser runs in this process's time zone). */
const localInput = (ms: number): string => {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 19);
};

describe.skipIf(!!skip)('console in Chromium against the running system', () => {
  let sys: System;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const attr = async (selector: string, name: string): Promise<number> => Number((await page.locator(selector).first().getAttribute(name)) ?? 'NaN');
  const stageNum = (stage: string, name: 'data-rate' | 'data-lag'): Promise<number> => attr(`article[data-stage="${stage}"]`, name);

  beforeAll(async () => {
    sys = await startSystem();
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    page = await context.newPage();
    // Compressed real-world delays, so an order is delivered within a few seconds; load for the whole file.
    expect((await call(sys, 'PUT', '/pipeline/faults', { timeScale: 0.2 })).status).toBe(200);
    expect((await call(sys, 'POST', '/pipeline/load', { mode: 'steady', rate: 10, durationS: 600 })).status).toBe(202);
  });

  afterAll(async () => {
    await call(sys, 'DELETE', '/pipeline/load').catch(() => undefined);
    await browser?.close();
    await sys?.stop();
  });

  it('signs in with a token (a wrong one shows the API detail; the token is not stored)', async () => {
    await page.goto(`${sys.url}/#/overview`);
    await page.getByLabel('API token').fill('sy_not-a-real-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/token/i);
    await screenshot(page, 'sign-in');
    await signIn(page, sys);
    const cookie = (await context.cookies()).find((c) => c.name === 'sy_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    const storage = String(await page.evaluate('JSON.stringify(window.localStorage) + JSON.stringify(window.sessionStorage)'));
    expect(storage).not.toContain(sys.adminToken);
  });

  it('shows every stage on the overview with a non-zero rate', async () => {
    await page.goto(`${sys.url}/#/overview`);
    for (const s of STAGES) await page.locator(`article[data-stage="${s}"]`).waitFor();
    const rates = await until(
      () => Promise.all(STAGES.map((s) => stageNum(s, 'data-rate'))),
      (r) => r.every((x) => x > 0),
      120_000,
    );
    expect(rates.every((r) => r > 0)).toBe(true);
    await expect.poll(() => page.locator('article[data-stage="inventory"] [data-testid="stage-rate"]').textContent()).toMatch(/\/s$/);
    await screenshot(page, 'overview');
  });

  it("shows a slow consumer's stage lag rising", async () => {
    await page.goto(`${sys.url}/#/overview`);
    const before = await stageNum('inventory', 'data-lag');
    // Inventory consumes 4 partitions at once: 1 s per message caps it at ~4/s, under the 10/s of load.
    await call(sys, 'PUT', '/pipeline/faults', { slowMs: { inventory: 1000 } });
    try {
      const after = await until(() => stageNum('inventory', 'data-lag'), (v) => v > Math.max(before * 2, before + 50), 90_000);
      expect(after).toBeGreaterThan(before);
      // What a person reads: the lag figure on the inventory card.
      await expect.poll(async () => Number((await page.locator('article[data-stage="inventory"] [data-testid="stage-lag"]').textContent())?.replace(/[^\d.]/g, '') ?? 'NaN')).toBeGreaterThan(before);
      await screenshot(page, 'slow-consumer-lag');
    } finally {
      await call(sys, 'PUT', '/pipeline/faults', { slowMs: {} });
    }
  });

  it('lists poison messages on the dead letters page', async () => {
    await call(sys, 'PUT', '/pipeline/faults', { poisonRate: 0.2 });
    try {
      await page.goto(`${sys.url}/#/dlq?range=1h`);
      const rows = await until(() => page.locator('tr[data-dlq-id]').count(), (n) => n > 0, 120_000, 2000);
      expect(rows).toBeGreaterThan(0);
      await page.locator('tr[data-dlq-id]').first().getByRole('button', { name: 'Payload' }).click();
      await expect.poll(() => page.getByTestId('dlq-headers').textContent()).not.toBe('');
      await screenshot(page, 'dead-letters');
    } finally {
      await call(sys, 'PUT', '/pipeline/faults', { poisonRate: 0 });
    }
  });

  it('redrives dead letters from the page, and the audit page shows it', async () => {
    await page.goto(`${sys.url}/#/dlq?range=1h`);
    await page.locator('tr[data-dlq-id]').first().waitFor();
    await page.getByLabel('everything matching the search').check();
    await page.getByLabel('Velocity (msgs/s)').fill('200');
    await page.getByLabel('Reason', { exact: true }).fill('browser test: redrive after the fix');
    await page.getByRole('button', { name: 'Dry run' }).click();
    const preview = Number(await page.getByTestId('redrive-preview').getAttribute('data-count'));
    expect(preview).toBeGreaterThan(0);
    await page.getByRole('button', { name: 'Redrive', exact: true }).click();
    const progress = page.getByTestId('redrives-progress');
    await until(() => progress.getAttribute('data-state'), (s) => s === 'done' || s === 'failed', 120_000);
    expect(await progress.getAttribute('data-state')).toBe('done');
    const done = Number(await progress.getAttribute('data-done'));
    const failed = Number(await progress.getAttribute('data-failed'));
    expect(done + failed).toBe(Number(await progress.getAttribute('data-matched')));
    expect(done).toBeGreaterThan(0);
    await screenshot(page, 'redrive');
    await page.goto(`${sys.url}/#/audit?range=1h`);
    await until(() => page.locator('tr[data-action^="redrive"]').count(), (n) => n > 0, 30_000);
    await expect.poll(() => page.locator('tr[data-action^="redrive"]').first().textContent()).toContain('browser test: redrive after the fix');
    await screenshot(page, 'audit');
  });

  it('replays exactly as many messages as the preview counted', async () => {
    // A time range is read from the archive on the mock cluster (no ListOffsets by time), so pick a window the
    // tap has long stored: the load has been running for minutes by now.
    const to = Date.now() - 60_000;
    const from = to - 20_000;
    await page.goto(`${sys.url}/#/replay`);
    await page.getByLabel('Topic').fill(`${sys.prefix}.orders`);
    await page.getByLabel('From (time)').fill(localInput(from));
    await page.getByLabel('To (time)').fill(localInput(to));
    await page.getByLabel('Publish to').selectOption('sandbox');
    const count = await until(
      async () => {
        await page.getByRole('button', { name: 'Preview' }).click();
        return Number(await page.getByTestId('replay-preview').getAttribute('data-count'));
      },
      (n) => n > 0,
      60_000,
      3000,
    );
    expect(count).toBeGreaterThan(0);
    await screenshot(page, 'replay-preview');
    await page.getByRole('button', { name: /^Replay .*messages/ }).click();
    await page.getByRole('dialog').getByLabel('Reason', { exact: true }).fill('browser test: replay to sandbox');
    await page.getByRole('button', { name: 'Confirm replay' }).click();
    const progress = page.getByTestId('replays-progress');
    await until(() => progress.getAttribute('data-state'), (s) => s === 'done' || s === 'failed' || s === 'cancelled', 120_000).finally(() => screenshot(page, 'replay-progress'));
    expect(await progress.getAttribute('data-state')).toBe('done');
    expect(Number(await progress.getAttribute('data-matched'))).toBe(count);
    expect(Number(await progress.getAttribute('data-done'))).toBe(count);
    await screenshot(page, 'replay-done');
  });

  it("lowers a stage's rate with a throttle set on the page", async () => {
    const group = `${sys.prefix}.inventory-svc`;
    await page.goto(`${sys.url}/#/overview`);
    const before = await until(() => stageNum('inventory', 'data-rate'), (r) => r > 8, 60_000);
    await page.goto(`${sys.url}/#/throttles`);
    await page.getByLabel('Kind').selectOption('group');
    await page.getByLabel('Name').fill(group);
    await page.getByLabel('Max rate (msgs/s)').fill('2');
    await page.getByLabel('Reason', { exact: true }).fill('browser test: throttle inventory');
    await page.getByRole('button', { name: 'Apply throttle' }).click();
    await page.locator(`tr[data-throttle="group:${group}"]`).waitFor();
    await screenshot(page, 'throttle-set');
    try {
      await page.goto(`${sys.url}/#/overview`);
      const after = await until(() => stageNum('inventory', 'data-rate'), (r) => r <= 3, 90_000);
      expect(after).toBeLessThan(before);
      await screenshot(page, 'throttle-overview');
    } finally {
      await call(sys, 'DELETE', `/api/v1/throttles/group/${group}`, { reason: 'browser test: lift' });
    }
  });

  it('shows every hop of one order on the order page', async () => {
    // Let the backlog drain so this order's hops are not queued behind minutes of load.
    await call(sys, 'DELETE', '/pipeline/load');
    const order = sampleOrder();
    const res = await call(sys, 'POST', '/orders', order);
    expect(res.status).toBe(202);
    const orderId = (res.body as { orderId: string }).orderId;
    await page.goto(`${sys.url}/#/order?orderId=${encodeURIComponent(orderId)}`);
    const covered = async (): Promise<string[]> => {
      const rows = await page.locator('[data-testid="waterfall"] tbody tr').evaluateAll((els) => els.map((e) => `${e.getAttribute('data-service')} ${e.getAttribute('data-span')}`.toLowerCase()));
      return STAGES.filter((s) => rows.some((r) => r.includes(s)));
    };
    try {
      const seen = await until(covered, (c) => c.length === STAGES.length, 150_000, 2000);
      expect(seen).toEqual(STAGES);
      await sleep(500);
    } finally {
      await screenshot(page, 'order');
    }
  });
});
