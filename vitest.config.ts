import { defineConfig } from 'vitest/config';

/**
 * Test files run without isolation: one module graph per worker, not one per file, which saves
 * the repeated imports of zod, Powertools, the AWS SDK and aws-cdk-lib (about a third of the
 * suite's CPU time). What a file changes in its process (process.env, the per-instance caches
 * of shared/instance.ts, the logger's level) is undone when it ends (test/support/file-state.ts).
 *
 * These files get a fresh worker each, because what they test is fixed when a module loads:
 * a handler's configuration check at load (fresh module graphs via vi.resetModules), the
 * logger at DEBUG from its creation (planted secrets are searched in every line it writes), and
 * Powertools' logger reading POWERTOOLS_LOGGER_LOG_EVENT when it is created. Move a file here
 * if it needs that; after any change, run the whole suite two or three times, shuffled too
 * (`vitest run --sequence.shuffle.files`).
 */
const ISOLATED_FILES = [
  'test/unit/config-at-load.test.ts',
  'test/e2e/planted-secrets.test.ts',
  'test/unit/payment-handler.test.ts',
];

export default defineConfig({
  test: {
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores on CI: emulator-backed files run in parallel forks but not too many.
    pool: 'forks',
    maxWorkers: 2,
    // Log and metric lines the code writes to stdout/stderr are captured per test and printed
    // only for a failing test (or its failing suite or file).
    setupFiles: ['./test/support/quiet-output.ts', './test/support/file-state.ts'],
    silent: 'passed-only',
    // One line per test file; a test is listed by name only when it fails or takes over 10 s.
    slowTestThreshold: 10_000,
    reporters: ['default', './test/support/summary-reporter.ts'],
    // `npm test` runs with --coverage. Istanbul rather than v8: v8 counts every block of every
    // module the workers run, the AWS SDK, aws-cdk-lib and the in-process emulators included,
    // which cost 15-35 s of CPU a run on top; istanbul instruments only the files in `include`
    // (and vitest caches the instrumented code). Files in `include` that no test imports are
    // still reported, at 0 %. Code to leave out goes between `istanbul ignore start` and `stop`
    // comments (v8's `c8 ignore` ones are not read). The thresholds sit a little under what the
    // suite reaches, so a change that drops tested code fails the run; raise them as coverage
    // grows.
    coverage: {
      provider: 'istanbul',
      include: ['shared/**/*.ts', 'functions/**/*.ts', 'infra/**/*.ts'],
      reporter: ['text-summary', 'json-summary'],
      thresholds: { statements: 90, branches: 80, functions: 90, lines: 90 },
    },
    projects: [
      // `include` is per project: a root one would be merged into all of them.
      // The CDK tests first, all in one worker: aws-cdk-lib and its CloudFormation validation
      // engine (WebAssembly) are loaded once (~6 s of CPU per worker that loads them). Meanwhile
      // the other core is left to the lint steps `npm test` runs beside vitest (tsc alone takes
      // ~20 s); the other files follow on both workers.
      {
        extends: true,
        test: { name: 'infra', include: ['test/infra/*.test.ts'], isolate: false, maxWorkers: 1, sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: {
          name: 'shared',
          include: ['test/**/*.test.ts'],
          exclude: [...ISOLATED_FILES, 'test/infra/*.test.ts'],
          isolate: false,
          sequence: { groupOrder: 1 },
        },
      },
      { extends: true, test: { name: 'isolated', include: ISOLATED_FILES, sequence: { groupOrder: 1 } } },
    ],
  },
});
