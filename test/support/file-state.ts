/**
 * Vitest setup file (vitest.config.ts `setupFiles`, run before every test file): what a test file
 * changed in its process is undone when the file ends. Most files run one after another in a
 * worker that keeps its module graph (the 'shared' project), so without this one file's
 * settings (emulator endpoints, credentials, RETENTION_DAYS, a store swapped in for tests…)
 * would still be in process.env, or parsed into a cache, when the next file starts.
 *
 * - process.env is put back as it was when the file started (variables it added are removed);
 * - every per-instance cache (shared/instance.ts: the config, SDK clients, wired dependencies
 *   and the stores tests swap in) is forgotten, as after a cold start;
 * - the logger, created once per module graph with the LOG_LEVEL of that moment, gets the level
 *   a fresh import would now get, so a file that lowered it (the e2e harness sets ERROR) does not
 *   hide the next file's log lines, which its assertions read.
 *
 * What is fixed when a module loads and is not reset here (Powertools' other logger settings,
 * a handler's configuration check at load) is what the files of the 'isolated' project test.
 */
import { afterAll } from 'vitest';
import { resetInstance } from '#shared/instance.js';

const environment = { ...process.env };

afterAll(async () => {
  for (const name of Object.keys(process.env)) {
    if (!(name in environment)) delete process.env[name];
  }
  Object.assign(process.env, environment);
  resetInstance();
  // Imported only now: imported at the start, it would fix the level before the file set its own.
  const { logger } = await import('#shared/observability/logger.js');
  logger.setLogLevel((process.env.LOG_LEVEL ?? 'INFO') as Parameters<typeof logger.setLogLevel>[0]);
});
