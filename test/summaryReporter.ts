/**
 * Prints one plain closing line, `N passed, N failed, N skipped`, after vitest's own summary, so that any
 * tool reading the last line of a test run sees the counts. A suite whose hook failed (its tests then do not
 * run) counts as one failure.
 */
import type { Reporter, TestModule, TestSuite } from 'vitest/node';

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else skipped++;
      }
      // A module or suite that failed with no failed test inside failed in a hook or while collecting: one failure each.
      const failedInside = (suite: TestModule | TestSuite) => [...suite.children.allTests()].some((t) => t.result().state === 'failed');
      if (module.state() === 'failed' && !failedInside(module) && module.errors().length > 0) failed++;
      for (const suite of module.children.allSuites()) if (suite.state() === 'failed' && !failedInside(suite)) failed++;
    }
    process.stdout.write(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
  }
}
