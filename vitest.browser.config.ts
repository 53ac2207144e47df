import { defineConfig } from 'vitest/config';

// `npm run test:browser`: test/browser/ in headless Chromium (Debian's /usr/bin/chromium). One file, one
// worker: the browser is the parallel part.
export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    globalSetup: ['test/browser/globalSetup.ts'],
    reporters: ['default', './test/summaryReporter.ts'],
    // Limits that catch a hang, not a slow machine: the four backends' pages train at once in beforeAll
    // (about a minute on a quiet 2-core machine, several under load; over ten at a load average of 20).
    testTimeout: 360_000,
    hookTimeout: 900_000,
    pool: 'forks',
    fileParallelism: false,
    maxWorkers: 1,
  },
});
