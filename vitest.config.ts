import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores on CI: emulator-backed files run in parallel forks but not too many.
    pool: 'forks',
    maxWorkers: 2,
    // Log and metric lines the code writes to stdout/stderr are captured per test and printed
    // only for a failing test (or its failing suite or file).
    setupFiles: ['./test/support/quiet-output.ts'],
    silent: 'passed-only',
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
