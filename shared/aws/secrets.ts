import * as z from '../validation/zod.js';
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
  username: z.optional(z.string().check(z.minLength(1))),
  password: z.string().check(z.minLength(8)),
  tokenSecret: z.string().check(z.minLength(16)),
  callerHashSecret: z.string().check(z.minLength(16)),
});

let pending: Promise<AgentSecrets> | undefined;

/**
 * Reads the secret through the AWS Parameters and Secrets Lambda Extension (a layer the stack
 * attaches) over localhost HTTP, so function bundles carry no Secrets Manager SDK: the SWML
 * function stays free of the AWS SDK entirely.
 */
async function readFromSecretsExtension(secretId: string): Promise<string> {
  const port = process.env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT ?? '2773';
  const response = await fetch(
    `http://localhost:${port}/secretsmanager/get?secretId=${encodeURIComponent(secretId)}`,
    { headers: { 'X-Aws-Parameters-Secrets-Token': process.env.AWS_SESSION_TOKEN ?? '' } },
  );
  if (!response.ok) throw new Error(`secrets extension answered ${response.status}`);
  const body = (await response.json()) as { SecretString?: string };
  return body.SecretString ?? '{}';
}

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
  const parsed = SecretJson.safeParse(JSON.parse(await readFromSecretsExtension(config.AGENT_SECRET_ARN)));
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
