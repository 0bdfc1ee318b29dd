import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { z } from 'zod';
import type { Config } from '../config.js';
import { ConfigError } from '../config.js';

/** Credentials and keys every instance must agree on; from env locally, Secrets Manager in the cloud. */
export interface AgentSecrets {
  username: string;
  password: string;
  tokenSecret: string;
  callerHashSecret: string;
}

const SecretJson = z.object({
  username: z.string().min(1).optional(),
  password: z.string().min(8),
  tokenSecret: z.string().min(16),
  callerHashSecret: z.string().min(16),
});

let pending: Promise<AgentSecrets> | undefined;

async function fetchSecrets(config: Config): Promise<AgentSecrets> {
  if (config.SWML_BASIC_AUTH_PASSWORD && config.TOKEN_SECRET && config.CALLER_HASH_SECRET) {
    return {
      username: config.SWML_BASIC_AUTH_USER,
      password: config.SWML_BASIC_AUTH_PASSWORD,
      tokenSecret: config.TOKEN_SECRET,
      callerHashSecret: config.CALLER_HASH_SECRET,
    };
  }
  if (!config.AGENT_SECRET_ARN) {
    // No credentials means every SignalWire-facing route would be open: refuse to start instead.
    throw new ConfigError(
      'set SWML_BASIC_AUTH_PASSWORD, TOKEN_SECRET and CALLER_HASH_SECRET, or AGENT_SECRET_ARN',
    );
  }
  const client = new SecretsManagerClient({});
  const out = await client.send(new GetSecretValueCommand({ SecretId: config.AGENT_SECRET_ARN }));
  const parsed = SecretJson.safeParse(JSON.parse(out.SecretString ?? '{}'));
  if (!parsed.success) throw new ConfigError('agent secret is missing password, tokenSecret or callerHashSecret');
  return {
    username: parsed.data.username ?? config.SWML_BASIC_AUTH_USER,
    password: parsed.data.password,
    tokenSecret: parsed.data.tokenSecret,
    callerHashSecret: parsed.data.callerHashSecret,
  };
}

/** Loaded once per instance; a failed load is forgotten so the next invocation tries again. */
export function loadSecrets(config: Config): Promise<AgentSecrets> {
  pending ??= fetchSecrets(config).catch((error: unknown) => {
    pending = undefined;
    throw error;
  });
  return pending;
}

export function resetSecretsForTests(): void {
  pending = undefined;
}
