import { randomUUID } from 'node:crypto';
import { emulatorEnv, provisionStorage, startEmulators, type Emulators } from '#infra/local/emulators.js';
import { resetInstance } from '#shared/instance.js';

export const TEST_SECRETS = {
  SWML_BASIC_AUTH_USER: 'signalwire',
  SWML_BASIC_AUTH_PASSWORD: 'test-password-123',
  TOKEN_SECRET: 'test-token-secret-0123456789',
  CALLER_HASH_SECRET: 'test-caller-hash-secret-0123',
} as const;

export interface TestStorage {
  emulators: Emulators;
  table: string;
  bucket: string;
  env: Record<string, string>;
  stop(): Promise<void>;
}

/**
 * Real emulators (dynalite + s3rver) for one test file, with a fresh table and bucket, and
 * process.env pointed at them so the production code paths run unchanged.
 */
export async function startTestStorage(extraEnv: Record<string, string> = {}): Promise<TestStorage> {
  const emulators = await startEmulators();
  const suffix = randomUUID().slice(0, 8);
  const table = `recording-agent-test-${suffix}`;
  const bucket = `recording-agent-test-${suffix}`;
  await provisionStorage(emulators, { table, bucket });
  const env = {
    ...emulatorEnv(emulators),
    ...TEST_SECRETS,
    TABLE_NAME: table,
    BUCKET_NAME: bucket,
    SWML_PROXY_URL_BASE: 'https://agent.example.com',
    ...extraEnv,
  };
  Object.assign(process.env, env);
  resetInstance();
  return {
    emulators,
    table,
    bucket,
    env,
    async stop() {
      await emulators.stop();
    },
  };
}
