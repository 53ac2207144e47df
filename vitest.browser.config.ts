import { defineConfig } from 'vitest/config';

// `npm run test:browser`: test/browser/ in headless Chromium (Debian's /usr/bin/chromium). One file, one
// worker: the browser is the parallel part.
export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    globalSetup: ['test/browser/globalSetup.ts'],
    reporters: ['default', './test/summaryReporter.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
    maxWorkers: 1,
  },
});
