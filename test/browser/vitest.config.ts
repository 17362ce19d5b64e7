import { defineConfig } from 'vitest/config';

// Browser tests: the whole system (launcher) in a child process and Debian's Chromium through playwright-core.
// Run with `npx vitest run -c test/browser/vitest.config.ts` after `npm run build -w @switchyard/console`.
export default defineConfig({
  test: {
    root: new URL('../..', import.meta.url).pathname,
    include: ['test/browser/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    reporters: ['default'],
  },
});
