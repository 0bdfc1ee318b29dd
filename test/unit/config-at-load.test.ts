import { afterEach, describe, expect, it, vi } from 'vitest';

/**
 * Every Lambda handler parses its configuration when its module loads (a cold start), so a bad
 * deploy fails at init instead of on a live call. Each import below is a fresh module graph.
 */
const HANDLERS = {
  swml: () => import('#functions/swml/handler.js'),
  swaig: () => import('#functions/swaig/handler.js'),
  'recording-status': () => import('#functions/recording-status/handler.js'),
  'payment-connector': () => import('#functions/payment-connector/handler.js'),
  privacy: () => import('#functions/privacy/handler.js'),
  'archive-worker': () => import('#functions/archive-worker/handler.js'),
} as const;

/** Too short for a token key (16 characters at least), and shaped like one: it must never be echoed. */
const BAD_TOKEN_SECRET = 'tok-7f3a9c';

async function loadError(name: keyof typeof HANDLERS): Promise<unknown> {
  vi.resetModules();
  return HANDLERS[name]().then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('configuration is validated when a handler module loads', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.resetModules();
  });

  it.each(Object.keys(HANDLERS) as (keyof typeof HANDLERS)[])(
    '%s: fails at load with a ConfigError naming the variable, not its value',
    async (name) => {
      vi.stubEnv('TOKEN_SECRET', BAD_TOKEN_SECRET);
      const error = await loadError(name);
      // A fresh module graph has its own ConfigError class: compare by name, not instanceof.
      expect(error).toMatchObject({ name: 'ConfigError', message: expect.stringContaining('TOKEN_SECRET') });
      expect(String((error as Error).message)).not.toContain(BAD_TOKEN_SECRET);
    },
  );

  it.each(['recording-status', 'payment-connector'] as const)('%s: loads with a valid configuration', async (name) => {
    vi.resetModules();
    const module = await HANDLERS[name]();
    expect(module.handler).toBeTypeOf('function');
  });
});
