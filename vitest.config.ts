import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/globalSetup.ts'],
    reporters: ['default', './test/summaryReporter.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // tfjs keeps one global engine per process: each test file gets its own fork.
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
  },
});
