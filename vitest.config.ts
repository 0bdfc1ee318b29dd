import { defineConfig } from 'vitest/config';

/**
 * Files that change no process.env, no module-level cache or store, and mock no module: they
 * run without isolation (one module graph per worker instead of one per file, which saves the
 * repeated imports of zod, Powertools and aws-cdk-lib). Every other file gets a fresh worker.
 * Add a file here only if that holds for it, then run the whole suite two or three times.
 */
const SHARED_MODULE_FILES = [
  'test/infra/*.test.ts',
  'test/unit/agent-swml.test.ts',
  'test/unit/consent-jurisdictions.test.ts',
  'test/unit/consent-memory-store.test.ts',
  'test/unit/consent-policy.test.ts',
  'test/unit/function-result.test.ts',
  'test/unit/payment-connector.test.ts',
  'test/unit/payment-luhn.test.ts',
  'test/unit/payment-request.test.ts',
  'test/unit/perf-tool-json-schema.test.ts',
  'test/unit/privacy-units.test.ts',
  'test/unit/recording-ingest.test.ts',
  'test/unit/recording-metadata.test.ts',
  'test/unit/recording-webhook.test.ts',
  'test/unit/redact.test.ts',
  'test/unit/swml-builders.test.ts',
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
    setupFiles: ['./test/support/quiet-output.ts'],
    silent: 'passed-only',
    // One line per test file; a test is listed by name only when it fails or takes over 10 s.
    slowTestThreshold: 10_000,
    reporters: ['default', './test/support/summary-reporter.ts'],
    // `npm test` runs with --coverage: v8's own counters, so no instrumentation step. The
    // thresholds sit a little under what the suite reaches, so a change that drops tested code
    // fails the run; raise them as coverage grows.
    coverage: {
      provider: 'v8',
      include: ['shared/**/*.ts', 'functions/**/*.ts', 'infra/**/*.ts'],
      reporter: ['text-summary', 'json-summary'],
      thresholds: { statements: 90, branches: 80, functions: 90, lines: 90 },
    },
    projects: [
      // `include` is per project: a root one would be merged into both. Vitest starts the projects'
      // files in name order, so 'shared' (with the slowest file, the cdk-nag synths) goes first.
      { extends: true, test: { name: 'shared', include: SHARED_MODULE_FILES, isolate: false } },
      { extends: true, test: { name: 'stateful', include: ['test/**/*.test.ts'], exclude: SHARED_MODULE_FILES } },
    ],
  },
});
