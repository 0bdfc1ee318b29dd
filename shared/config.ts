import * as z from 'zod';

/**
 * The one place the environment becomes typed configuration.
 *
 * Parsed once per cold start (see {@link getConfig}); a bad value throws there, so a
 * misconfigured function fails loudly at init instead of misbehaving on a live call.
 */
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const optionalUrl = z
  .string()
  .url()
  .transform((u) => u.replace(/\/+$/, ''))
  .optional();

const ConfigSchema = z.object({
  SWML_BASIC_AUTH_USER: z.string().min(1).default('signalwire'),
  SWML_BASIC_AUTH_PASSWORD: z.string().min(8).optional(),
  /** Secrets Manager secret holding {username,password,tokenSecret,callerHashSecret} (cloud). */
  AGENT_SECRET_ARN: z.string().min(1).optional(),
  SWML_PROXY_URL_BASE: optionalUrl,

  RECORDING_MODE: z.enum(['consent-first', 'disclose-and-record']).default('consent-first'),
  RECORDING_FORMAT: z.enum(['mp3', 'wav']).default('mp3'),
  RECORDING_STEREO: bool.default(true),
  RECORDING_BEEP: bool.default(false),
  RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
  PRIVACY_CONTACT: z.string().min(3).default('privacy@example.com'),
  AGENT_NAME: z.string().min(1).default('Recording Assistant'),
  COMPANY_NAME: z.string().min(1).default('our company'),

  TABLE_NAME: z.string().min(3).default('recording-agent'),
  BUCKET_NAME: z.string().min(3).default('recording-agent'),
  QUEUE_URL: z.string().min(1).optional(),
  S3_FORCE_PATH_STYLE: bool.default(false),

  /** HMAC secret for per-call secure-tool tokens; all instances must share it. */
  TOKEN_SECRET: z.string().min(16).optional(),
  SECURE_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(86_400).default(3600),
  /** Key for the keyed hash that stands in for a caller's number everywhere we store it. */
  CALLER_HASH_SECRET: z.string().min(16).optional(),

  SIGNALWIRE_SIGNING_KEY: z.string().min(1).optional(),
  SIGNALWIRE_PROJECT_ID: z.string().min(1).optional(),
  SIGNALWIRE_API_TOKEN: z.string().min(1).optional(),
  SIGNALWIRE_SPACE_URL: optionalUrl,

  /** A processor's own pay connector; when set our /payment route is not used (keeps us out of PCI scope). */
  PAYMENT_CONNECTOR_URL: optionalUrl,
  MAX_BODY_BYTES: z.coerce.number().int().min(1024).max(6_000_000).default(256 * 1024),
  /** Which PaymentGateway serves our /payment route; a real processor adapter adds its name here. */
  PAYMENT_GATEWAY: z.enum(['test']).default('test'),
});

export type Config = z.infer<typeof ConfigSchema>;
export type RecordingMode = Config['RECORDING_MODE'];

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parse an environment map; throws {@link ConfigError} naming every bad variable (values are never echoed). */
export function parseConfig(env: NodeJS.ProcessEnv | Record<string, string | undefined>): Config {
  const present = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v !== ''),
  );
  const result = ConfigSchema.safeParse(present);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  return result.data;
}

let cached: Config | undefined;

/** Configuration of this process, parsed on first use and then reused for the life of the instance. */
export function getConfig(): Config {
  cached ??= parseConfig(process.env);
  return cached;
}

/** Tests and the local server change the environment between runs; this forgets the parsed copy. */
export function resetConfigForTests(): void {
  cached = undefined;
}
