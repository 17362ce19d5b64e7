import { defineConfig } from 'vitest/config';

// One run for the whole repository. Integration tests share one mock Kafka cluster (started in
// test/setup/global.ts) and the Redis at REDIS_URL; each test owns its own topic, queue and key names.
export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'collectors/**/*.test.ts', 'pipeline/src/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'test/browser/**'],
    globalSetup: ['test/setup/global.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default'],
  },
});
