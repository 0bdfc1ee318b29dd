import type { Reporter, TestModule, Vitest } from 'vitest/node';

/**
 * Prints the plain `N passed, N failed` closing line that CI reads (it does not parse
 * vitest's own summary). Unhandled errors count as failures.
 */
export default class SummaryReporter implements Reporter {
  private vitest: Vitest | undefined;
  private pending: string | undefined;

  onInit(vitest: Vitest): void {
    this.vitest = vitest;
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    let passed = 0;
    let failed = unhandledErrors.length;
    let skipped = 0;
    for (const mod of testModules) {
      if (mod.state() === 'failed' && [...mod.children.allTests()].length === 0) failed += 1;
      for (const test of mod.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed += 1;
        else if (state === 'failed') failed += 1;
        else skipped += 1;
      }
    }
    const line = `\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`;
    // With coverage on, vitest prints its coverage report (and threshold failures) after this
    // hook, unless a test failed and reportOnFailure is off: the line waits for that report.
    const coverage = this.vitest?.config.coverage;
    const anyFailed = testModules.some((m) => m.state() === 'failed');
    if (coverage?.enabled && (!anyFailed || coverage.reportOnFailure)) {
      this.pending = line;
      process.once('exit', () => this.flush()); // in case the report never finishes
      return;
    }
    process.stdout.write(line);
  }

  /** Called by vitest once the coverage report is written (not in the typed Reporter API). */
  onFinishedReportCoverage(): void {
    this.flush();
  }

  private flush(): void {
    if (this.pending === undefined) return;
    process.stdout.write(this.pending);
    this.pending = undefined;
  }
}
