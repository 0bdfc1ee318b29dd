import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

/** The secrets the functions need, as the environment variables shared/config.ts reads. */
export interface LocalCredentials {
  SWML_BASIC_AUTH_USER: string;
  SWML_BASIC_AUTH_PASSWORD: string;
  TOKEN_SECRET: string;
  CALLER_HASH_SECRET: string;
}

const CredentialsFile = z.object({
  SWML_BASIC_AUTH_USER: z.string().min(1),
  SWML_BASIC_AUTH_PASSWORD: z.string().min(8),
  TOKEN_SECRET: z.string().min(16),
  CALLER_HASH_SECRET: z.string().min(16),
});

const CREDENTIALS_FILE = 'credentials.json';

const secret = (bytes: number): string => randomBytes(bytes).toString('base64url');

/**
 * Credentials generated once per data directory and kept next to the data, so the SWML URL
 * pasted into SignalWire (or a tunnel) keeps working across restarts. Environment variables
 * of the same names win over the file (and are not written to it).
 */
export function loadOrCreateCredentials(dataDir: string, env: NodeJS.ProcessEnv = process.env): LocalCredentials {
  const path = join(dataDir, CREDENTIALS_FILE);
  let stored: LocalCredentials | undefined;
  if (existsSync(path)) {
    const parsed = CredentialsFile.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    if (parsed.success) stored = parsed.data;
  }
  if (!stored) {
    stored = {
      SWML_BASIC_AUTH_USER: 'signalwire',
      SWML_BASIC_AUTH_PASSWORD: secret(18),
      TOKEN_SECRET: secret(32),
      CALLER_HASH_SECRET: secret(32),
    };
    writeFileSync(path, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600 });
  }
  const override = (key: keyof LocalCredentials): string => {
    const value = env[key];
    return value !== undefined && value !== '' ? value : stored[key];
  };
  return {
    SWML_BASIC_AUTH_USER: override('SWML_BASIC_AUTH_USER'),
    SWML_BASIC_AUTH_PASSWORD: override('SWML_BASIC_AUTH_PASSWORD'),
    TOKEN_SECRET: override('TOKEN_SECRET'),
    CALLER_HASH_SECRET: override('CALLER_HASH_SECRET'),
  };
}
