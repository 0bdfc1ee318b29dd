import * as z from '#shared/validation/zod.js';
import type { Config } from '#shared/config.js';
import { ConfigError, parseConfig } from '#shared/config.js';
import { onInstanceReset } from '#shared/instance.js';
import { logger } from '#shared/observability/logger.js';
import { countMetric, MetricName } from '#shared/observability/metrics.js';

/** Credentials and keys every instance must agree on; from env locally, Secrets Manager in the cloud. */
export interface AgentSecrets {
  username: string;
  password: string;
  tokenSecret: string;
  /**
   * Absent from the payment connector's secret (infra/stack/agent-secret.ts): in PCI scope, it
   * never hashes a caller. Functions that do read it through {@link requireCallerHashSecret}.
   */
  callerHashSecret?: string;
}

const SecretJson = z.object({
  username: z.optional(z.string().check(z.minLength(1))),
  password: z.string().check(z.minLength(8)),
  tokenSecret: z.string().check(z.minLength(16)),
  callerHashSecret: z.optional(z.string().check(z.minLength(16))),
});

let pending: Promise<AgentSecrets> | undefined;

/**
 * Reads a secret's JSON through the AWS Parameters and Secrets Lambda Extension (a layer the
 * stack attaches) over localhost HTTP, so function bundles carry no Secrets Manager SDK: the
 * SWML function stays free of the AWS SDK entirely. A parse error is replaced, not wrapped: V8
 * quotes the offending input in its message, and that input is key material.
 */
async function readFromSecretsExtension(secretId: string): Promise<unknown> {
  const port = process.env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT ?? '2773';
  const response = await fetch(`http://localhost:${port}/secretsmanager/get?secretId=${encodeURIComponent(secretId)}`, {
    headers: { 'X-Aws-Parameters-Secrets-Token': process.env.AWS_SESSION_TOKEN ?? '' },
  });
  if (!response.ok) throw new Error(`secrets extension answered ${response.status}`);
  const body = (await response.json()) as { SecretString?: string };
  try {
    return JSON.parse(body.SecretString ?? '{}');
  } catch {
    throw new ConfigError(`secret ${secretId} is not JSON`);
  }
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
    throw new ConfigError('set SWML_BASIC_AUTH_PASSWORD, TOKEN_SECRET and CALLER_HASH_SECRET, or AGENT_SECRET_ARN');
  }
  const parsed = SecretJson.safeParse(await readFromSecretsExtension(config.AGENT_SECRET_ARN));
  if (!parsed.success) throw new ConfigError('agent secret is missing password or tokenSecret (or a key is too short)');
  return {
    username: parsed.data.username ?? config.SWML_BASIC_AUTH_USER,
    password: parsed.data.password,
    tokenSecret: parsed.data.tokenSecret,
    ...(parsed.data.callerHashSecret ? { callerHashSecret: parsed.data.callerHashSecret } : {}),
  };
}

/** The caller-hash key, for the functions that hash callers; a secret without it is a deploy error. */
export function requireCallerHashSecret(secrets: AgentSecrets): string {
  if (!secrets.callerHashSecret) throw new ConfigError('agent secret has no callerHashSecret (is this the payment secret?)');
  return secrets.callerHashSecret;
}

/** Loaded once per instance; a failed load is forgotten so the next invocation tries again. */
export function loadSecrets(config: Config): Promise<AgentSecrets> {
  pending ??= fetchSecrets(config).catch((error: unknown) => {
    pending = undefined;
    throw error;
  });
  return pending;
}

/**
 * SignalWire *project* settings, under their config names: the signing key (request
 * signatures), and project id + API token + space URL (REST API: delete or download a
 * recording). Any of them may be absent; each consumer decides what it can do without.
 */
export type SignalWireProject = Pick<
  Config,
  'SIGNALWIRE_SIGNING_KEY' | 'SIGNALWIRE_PROJECT_ID' | 'SIGNALWIRE_API_TOKEN' | 'SIGNALWIRE_SPACE_URL'
>;

/**
 * The SignalWire secret's JSON keys, as an operator types them; each stands for the config name
 * spelled from it (`spaceUrl` → `SIGNALWIRE_SPACE_URL`, see {@link configName}).
 */
const SIGNALWIRE_SECRET_KEYS = ['signingKey', 'projectId', 'apiToken', 'spaceUrl'] as const;

/** `projectId` → `SIGNALWIRE_PROJECT_ID`. Derived rather than tabled: the SWML bundle is at its size budget. */
const configName = (key: string): keyof SignalWireProject =>
  `SIGNALWIRE_${key.replace(/[A-Z]/g, '_$&').toUpperCase()}` as keyof SignalWireProject;

/** The secret's JSON, or undefined (logged, counted) when it is not JSON: the env values still apply. */
async function readSignalWireSecret(secretId: string): Promise<Record<string, unknown> | undefined> {
  try {
    const value = await readFromSecretsExtension(secretId);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    invalidSignalWireKey('(whole secret: not JSON)');
    return undefined;
  }
}

/** A bad key is dropped, never the request: logged by name (never its value) and counted (dashboard). */
function invalidSignalWireKey(key: string): void {
  logger.error('SignalWire secret value ignored: it does not validate', { key });
  countMetric(MetricName.SignalWireSecretInvalid);
}

async function fetchSignalWireProject(config: Config): Promise<SignalWireProject> {
  const secret = config.SIGNALWIRE_SECRET_ARN ? await readSignalWireSecret(config.SIGNALWIRE_SECRET_ARN) : undefined;
  const project: SignalWireProject = {};
  for (const key of SIGNALWIRE_SECRET_KEYS) {
    const name = configName(key);
    // A filled secret value wins; an empty one (the stack's placeholder "") leaves the env value.
    const value = secret?.[key] || config[name];
    if (value === undefined) continue;
    // Each key through the config schema on its own, so a value means the same wherever it comes
    // from (a space URL must be a URL, its trailing slash goes) and a typo in one (a bad spaceUrl)
    // costs only what needs that key instead of failing every request that reads the secret.
    try {
      const parsed = parseConfig({ [name]: typeof value === 'string' ? value : JSON.stringify(value) })[name];
      if (parsed !== undefined) project[name] = parsed;
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      invalidSignalWireKey(key);
    }
  }
  return project;
}

/** The pending load and the config it was made for: getConfig() is one object per instance. */
let signalWire: { config: Config; load: Promise<SignalWireProject> } | undefined;

/**
 * SignalWire project settings: env values (config) overlaid by the non-empty values of the
 * secret named by SIGNALWIRE_SECRET_ARN (JSON `{projectId, apiToken, signingKey, spaceUrl}`),
 * read through the same extension as {@link loadSecrets} so no bundle needs the Secrets Manager
 * SDK. Loaded once per instance and config (a value filled in later reaches new instances); a
 * failed load is forgotten so the next invocation tries again.
 */
export function loadSignalWireProject(config: Config): Promise<SignalWireProject> {
  // A different config object (tests and the local server re-parse the environment) is a
  // different source: load again instead of serving values from another setup.
  if (signalWire?.config === config) return signalWire.load;
  const load = fetchSignalWireProject(config).catch((error: unknown) => {
    if (signalWire?.load === load) signalWire = undefined;
    throw error;
  });
  signalWire = { config, load };
  return load;
}

onInstanceReset(() => {
  pending = undefined;
  signalWire = undefined;
});
